import Foundation
import Hummingbird
import Synchronization
import TalyStore

/// A JSON Schema (the OpenAPI 3.1 dialect), enough to document request and response bodies.
public indirect enum JSONSchema: Sendable {
    /// A string, with an optional format and allowed values.
    case string(format: String? = nil, values: [String]? = nil)
    /// A 64-bit integer.
    case integer
    /// A number.
    case number
    /// true or false.
    case boolean
    /// An array of items of one schema.
    case array(JSONSchema)
    /// An object with `properties` in order; `required` names the ones that must be present.
    case object([(String, JSONSchema)], required: [String] = [])
    /// A free-form object (`additionalProperties` of any type).
    case freeObject
    /// `#/components/schemas/<name>`.
    case reference(String)
    /// The schema or null.
    case nullable(JSONSchema)

    var json: [String: Any] {
        switch self {
        case .string(let format, let values):
            var out: [String: Any] = ["type": "string"]
            if let format { out["format"] = format }
            if let values { out["enum"] = values }
            return out
        case .integer: return ["type": "integer", "format": "int64"]
        case .number: return ["type": "number"]
        case .boolean: return ["type": "boolean"]
        case .array(let items): return ["type": "array", "items": items.json]
        case .object(let properties, let required):
            var out: [String: Any] = [
                "type": "object",
                "properties": Dictionary(properties.map { ($0.0, $0.1.json) }, uniquingKeysWith: { first, _ in first }),
            ]
            if !required.isEmpty { out["required"] = required }
            return out
        case .freeObject: return ["type": "object", "additionalProperties": true]
        case .reference(let name): return ["$ref": "#/components/schemas/\(name)"]
        case .nullable(let schema):
            return ["oneOf": [schema.json, ["type": "null"]]]
        }
    }
}

/// Who may call a route.
public enum RouteAccess: Sendable, Equatable {
    /// Anyone, without a credential.
    case open
    /// Any authenticated principal.
    case authenticated
    /// A principal holding this permission (a user's role or a key's scope).
    case permission(Permission)
}

/// How a route's synchronous work grows, which decides the thread its handler runs on.
public enum RouteWork: Sendable, Equatable {
    /// Bounded by the answer: a few indexed rows, a fixed document. A `GET` or `HEAD` of such a
    /// route is handled on its connection's event loop, with no thread hop.
    case bounded
    /// Grows with the request, not the answer (a search: a broad union or a fuzzy query runs for
    /// milliseconds). Handled on the cooperative pool, so it never holds an event loop and the
    /// other connections served by it.
    case unbounded
    /// Grows with the request, and the handler estimates its cost before doing it (a search: the
    /// document frequencies of its terms). Started on its connection's event loop, whatever the
    /// method; the handler does cheap work there under a short budget and moves expensive work,
    /// or work that overran the budget, to the cooperative pool (`SearchPlacement`).
    case costed
}

/// The documentation of one route: the single source of its OpenAPI entry and of where its
/// handler runs.
public struct RouteDoc: Sendable {
    /// The HTTP method.
    public var method: HTTPRequest.Method
    /// The path in OpenAPI form, `/v1/users/{id}`; the router gets `/v1/users/:id`.
    public var path: String
    /// One line for the OpenAPI `summary`.
    public var summary: String
    /// The OpenAPI tag grouping the route.
    public var tag: String
    /// Who may call it.
    public var access: RouteAccess
    /// Query parameters besides pagination's.
    public var query: [(name: String, schema: JSONSchema, description: String)]
    /// The JSON body, if the route takes one (for a bulk route, the schema of one line).
    public var requestBody: JSONSchema?
    /// The body's media type: `application/json`, or `application/x-ndjson` for bulk routes.
    public var requestMediaType: String
    /// The success status.
    public var successStatus: Int
    /// The success body; for a paginated route, the schema of one item.
    public var response: JSONSchema?
    /// Whether `If-Match` is required (PUT/PATCH/DELETE of an editable resource).
    public var requiresIfMatch: Bool
    /// Whether the route is a list with `limit` / `cursor`.
    public var paginated: Bool
    /// Other success statuses, answering the same body (a bulk route's partial success).
    public var alsoSucceeds: [(status: Int, description: String)]
    /// Problems the route answers besides those implied by its access, body and path.
    public var problems: [(status: Int, description: String)]
    /// How its handler's work grows (`RoutePlacements`).
    public var work: RouteWork

    /// A route's documentation.
    public init(
        _ method: HTTPRequest.Method, _ path: String, summary: String, tag: String, access: RouteAccess,
        query: [(name: String, schema: JSONSchema, description: String)] = [], requestBody: JSONSchema? = nil,
        requestMediaType: String = "application/json", successStatus: Int = 200, response: JSONSchema? = nil,
        requiresIfMatch: Bool = false, paginated: Bool = false,
        alsoSucceeds: [(status: Int, description: String)] = [], problems: [(status: Int, description: String)] = [],
        work: RouteWork = .bounded
    ) {
        self.method = method
        self.path = path
        self.summary = summary
        self.tag = tag
        self.access = access
        self.query = query
        self.requestBody = requestBody
        self.requestMediaType = requestMediaType
        self.successStatus = successStatus
        self.response = response
        self.requiresIfMatch = requiresIfMatch
        self.paginated = paginated
        self.alsoSucceeds = alsoSucceeds
        self.problems = problems
        self.work = work
    }

    /// The path in the router's syntax.
    var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
    }
}

/// Where each route's handler runs, from the `work` of its `RouteDoc`: filled as routes are
/// added, read by `RequestTimeoutMiddleware` for every request.
///
/// Writes (SQLite's fsync) and bulk ingest (minutes of streaming) run on the cooperative pool
/// whatever their doc says; reads (`GET`, `HEAD`) run on their connection's event loop unless
/// their work is `.unbounded`; `.costed` routes of any method start on the event loop, and their
/// handler decides.
public final class RoutePlacements: Sendable {
    private struct Route: Hashable {
        let method: HTTPRequest.Method
        /// The path in OpenAPI form, as `RequestContext.endpointPath` names it.
        let path: String
    }

    /// The routes whose work is not `.bounded`.
    private let work = Mutex([Route: RouteWork]())

    /// No route yet: every read on its event loop.
    public init() {}

    /// Records where `doc`'s handler runs.
    func add(_ doc: RouteDoc) {
        guard doc.work != .bounded else { return }
        work.withLock { $0[Route(method: doc.method, path: doc.path)] = doc.work }
    }

    /// Whether a `method` request to the route `endpoint` is handled on its connection's event loop.
    func runsOnEventLoop(_ method: HTTPRequest.Method, endpoint: String?) -> Bool {
        guard let endpoint else { return method == .get || method == .head }
        // A HEAD is answered by the GET route.
        let route = Route(method: method == .head ? .get : method, path: endpoint)
        switch work.withLock({ $0[route] }) {
        case .costed: return true
        case .unbounded: return false
        case .bounded, nil: return method == .get || method == .head
        }
    }
}

/// Where every route is added: to the router, to the OpenAPI document and to the placements at
/// once, so no route exists undocumented. Controllers take one in `register(_:)`.
public final class RouteRegistry {
    /// The router routes go to.
    public let router: Router<TalyRequestContext>
    /// Where each route added runs; `RequestTimeoutMiddleware` reads it.
    public let placements: RoutePlacements
    /// The documentation of every route added, in order.
    public private(set) var docs: [RouteDoc] = []
    /// Named schemas referenced as `.reference(name)`.
    public private(set) var schemas: [String: JSONSchema] = [:]

    /// A registry adding to `router` and `placements`.
    public init(router: Router<TalyRequestContext>, placements: RoutePlacements) {
        self.router = router
        self.placements = placements
    }

    /// Adds a route and its documentation.
    public func add(
        _ doc: RouteDoc,
        _ handler: @escaping @Sendable (Request, TalyRequestContext) async throws -> some ResponseGenerator
    ) {
        precondition(
            !docs.contains { $0.method == doc.method && $0.path == doc.path }, "\(doc.method) \(doc.path) added twice")
        docs.append(doc)
        placements.add(doc)
        router.on(RouterPath(doc.routerPath), method: doc.method, use: handler)
    }

    /// Declares a named schema for `.reference(name)`.
    public func define(_ name: String, _ schema: JSONSchema) { schemas[name] = schema }

    /// The OpenAPI 3.1 document of every route added so far.
    public func openAPIDocument() -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for doc in docs {
            paths[doc.path, default: [:]][doc.method.rawValue.lowercased()] = operation(doc)
        }
        var components = schemas.mapValues(\.json)
        components["Problem"] =
            JSONSchema.object(
                [
                    ("type", .string(format: "uri")), ("title", .string()), ("status", .integer), ("detail", .string()),
                    ("instance", .string()), ("request_id", .string()),
                    ("invalid_params", .array(.object([("name", .string()), ("reason", .string())]))),
                ], required: ["type", "title", "status", "detail", "request_id"]
            ).json
        return [
            "openapi": "3.1.0",
            "info": ["title": "Taly API", "version": "1"],
            "paths": paths,
            "components": [
                "schemas": components,
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
            ],
        ]
    }

    private func operation(_ doc: RouteDoc) -> [String: Any] {
        var parameters: [[String: Any]] = []
        for part in doc.path.split(separator: "/") where part.hasPrefix("{") {
            let name = String(part.dropFirst().dropLast())
            let schema: JSONSchema = name == "id" || name.hasSuffix("_id") ? .integer : .string()
            parameters.append(["name": name, "in": "path", "required": true, "schema": schema.json])
        }
        for (name, schema, description) in doc.query {
            parameters.append(["name": name, "in": "query", "schema": schema.json, "description": description])
        }
        if doc.paginated {
            parameters.append([
                "name": "limit", "in": "query", "description": "items per page",
                "schema": ["type": "integer", "minimum": 1, "maximum": PageRequest.maximumLimit],
            ])
            parameters.append([
                "name": "cursor", "in": "query", "description": "next_cursor of the previous page",
                "schema": ["type": "string"],
            ])
        }
        if doc.requiresIfMatch {
            parameters.append([
                "name": "If-Match", "in": "header", "required": true, "description": "the resource's ETag",
                "schema": ["type": "string"],
            ])
        }
        var responses: [String: Any] = [:]
        let body: JSONSchema? =
            doc.paginated
            ? .object(
                [
                    ("data", .array(doc.response ?? .freeObject)), ("has_more", .boolean),
                    ("next_cursor", .nullable(.string())),
                ],
                required: ["data", "has_more", "next_cursor"]) : doc.response
        var success: [String: Any] = ["description": "success"]
        if let body { success["content"] = ["application/json": ["schema": body.json]] }
        responses[String(doc.successStatus)] = success
        for (status, description) in doc.alsoSucceeds {
            var other = success
            other["description"] = description
            responses[String(status)] = other
        }
        func problem(_ status: Int, _ description: String) {
            responses[String(status)] = [
                "description": description,
                "content": ["application/problem+json": ["schema": JSONSchema.reference("Problem").json]],
            ]
        }
        if doc.requestBody != nil {
            problem(400, "malformed body")
            problem(413, "body too large")
            problem(415, "not \(doc.requestMediaType)")
            problem(417, "Expect other than 100-continue")
        }
        if doc.requestBody != nil || doc.paginated || !doc.query.isEmpty { problem(422, "invalid input") }
        if doc.access != .open { problem(401, "no or invalid credential") }
        if case .permission = doc.access { problem(403, "permission missing") }
        if doc.path.contains("{") { problem(404, "not found") }
        if doc.requiresIfMatch {
            problem(412, "ETag mismatch")
            problem(428, "If-Match missing")
        }
        for (status, description) in doc.problems { problem(status, description) }
        problem(429, "rate limited")
        var operation: [String: Any] = [
            "summary": doc.summary,
            "operationId": doc.method.rawValue.lowercased()
                + doc.path.split(separator: "/").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "{}")) }
                .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(),
            "tags": [doc.tag],
            "responses": responses,
        ]
        if !parameters.isEmpty { operation["parameters"] = parameters }
        if let requestBody = doc.requestBody {
            operation["requestBody"] = [
                "required": true, "content": [doc.requestMediaType: ["schema": requestBody.json]],
            ]
        }
        switch doc.access {
        case .open: operation["security"] = [[String: Any]]()
        case .authenticated: operation["security"] = [["bearer": [String]()]]
        case .permission(let permission):
            operation["security"] = [["bearer": [String]()]]
            operation["x-taly-permission"] = permission.rawValue
        }
        return operation
    }
}
