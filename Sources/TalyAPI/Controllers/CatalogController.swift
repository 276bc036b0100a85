import Foundation
import Hummingbird
import TalyStore

/// Products under `/v1/catalog/products` and their stock per location.
///
/// `catalog.read` reads, `catalog.write` creates, replaces, deletes, adjusts stock and releases
/// or ships reservations. Reserving stock is also open to `orders.place` (customers placing an
/// order). The store makes each stock change one conditional UPDATE in its write transaction,
/// so concurrent reservations never take stock below zero: the losers get 409.
struct CatalogController: Sendable {
    /// The product body: `ProductDraft`'s own decoding, which checks every member, with all its
    /// problems reported in one 422.
    struct ProductBody: Decodable, Sendable {
        let draft: ProductDraft

        init(from decoder: any Decoder) throws {
            do {
                draft = try ProductDraft(from: decoder)
            } catch let problems as ProductDraft.Problems {
                throw APIError.validation(storeErrors: problems.errors)
            } catch let error as StoreError {
                throw APIError.validation(storeErrors: [error])
            }
        }

        /// The draft after a JSON merge patch of `current`; a required member set to null is
        /// reported as such rather than as missing.
        static func patching(_ current: ProductDraft, with patch: [String: Any]) throws(APIError) -> ProductDraft {
            var nulls = ["sku", "title", "price"].filter { patch[$0] is NSNull }
            if let price = patch["price"] as? [String: Any] {
                nulls += ["amount", "currency"].filter { price[$0] is NSNull }.map { "price.\($0)" }
            }
            let nullProblems = nulls.map { InvalidParam(name: $0, reason: "must not be null") }
            let merged: [UInt8]
            do {
                let target = try JSONSerialization.jsonObject(with: JSONEncoder().encode(current))
                merged = Array(try JSONSerialization.data(withJSONObject: JSONBody.mergePatch(target, patch)))
            } catch {
                throw APIError(.internalError, "the product could not be merged")
            }
            do throws(APIError) {
                let draft = try JSONBody.decode(ProductBody.self, from: merged).draft
                if !nullProblems.isEmpty { throw APIError.validation(nullProblems) }
                return draft
            } catch {
                guard error.kind == .validation else { throw error }
                let reported = Set(nulls)
                throw .validation(nullProblems + error.invalidParams.filter { !reported.contains($0.name) })
            }
        }
    }

    struct AdjustBody: Decodable, Sendable {
        let delta: Int64
    }

    struct ReserveBody: Decodable, Sendable {
        let quantity: Int64
    }

    /// A reservation as the API shows it.
    struct ReservationResource: ResponseEncodable, Sendable {
        let id: Int64
        let productID: Int64
        let location: String
        let quantity: Int64
        let createdAt: Date

        enum CodingKeys: String, CodingKey {
            case id, location, quantity
            case productID = "product_id"
            case createdAt = "created_at"
        }

        init(_ reservation: ReservationRecord) {
            id = reservation.id?.rawValue ?? 0
            productID = reservation.productID.rawValue
            location = reservation.location
            quantity = reservation.quantity
            createdAt = reservation.createdAt
        }

        static let schema = JSONSchema.object(
            [
                ("id", .integer), ("product_id", .integer), ("location", .string()), ("quantity", .integer),
                ("created_at", .string(format: "date-time")),
            ], required: ["id", "product_id", "location", "quantity", "created_at"])
    }

    /// Stock of a product at one location.
    struct StockResource: ResponseEncodable, Sendable {
        let productID: Int64
        let location: String
        let onHand: Int64
        let reserved: Int64
        let available: Int64
        let updatedAt: Date
        let version: Int64

        enum CodingKeys: String, CodingKey {
            case location, reserved, available, version
            case productID = "product_id"
            case onHand = "on_hand"
            case updatedAt = "updated_at"
        }

        init(_ stock: InventoryRecord) {
            productID = stock.productID.rawValue
            location = stock.location
            onHand = stock.onHand
            reserved = stock.reserved
            available = stock.available
            updatedAt = stock.updatedAt
            version = stock.version
        }

        static let schema = JSONSchema.object(
            [
                ("product_id", .integer), ("location", .string()), ("on_hand", .integer), ("reserved", .integer),
                ("available", .integer), ("updated_at", .string(format: "date-time")), ("version", .integer),
            ], required: ["product_id", "location", "on_hand", "reserved", "available", "updated_at", "version"])
    }

    static let productSchema = JSONSchema.object(
        [
            ("id", .integer), ("sku", .string()), ("title", .string()), ("description", .string()),
            (
                "price",
                .object(
                    [("amount", .integer), ("currency", .string(format: "iso-4217"))], required: ["amount", "currency"])
            ),
            ("attributes", .freeObject), ("status", .string(values: ProductStatus.allCases.map(\.rawValue))),
            ("created_at", .string(format: "date-time")), ("updated_at", .string(format: "date-time")),
            ("version", .integer),
        ], required: ["id", "sku", "title", "description", "price", "attributes", "status", "version"])

    static let draftSchema = JSONSchema.object(
        [
            ("sku", .string()), ("title", .string()), ("description", .string()),
            (
                "price",
                .object(
                    [("amount", .integer), ("currency", .string(format: "iso-4217"))], required: ["amount", "currency"])
            ),
            ("attributes", .freeObject), ("status", .string(values: ProductStatus.allCases.map(\.rawValue))),
        ], required: ["sku", "title", "price"])

    /// A merge patch: any member of the draft, null to clear an optional one.
    static let patchSchema = JSONSchema.object(
        [
            ("sku", .string()), ("title", .string()), ("description", .nullable(.string())),
            ("price", .object([("amount", .integer), ("currency", .string(format: "iso-4217"))])),
            ("attributes", .nullable(.freeObject)),
            ("status", .nullable(.string(values: ProductStatus.allCases.map(\.rawValue)))),
        ])

    func register(_ api: RouteRegistry) {
        registerProducts(api)
        registerInventory(api)
    }

    func registerProducts(_ api: RouteRegistry) {
        let product = "/v1/catalog/products/{id}"
        api.add(
            RouteDoc(
                .post, "/v1/catalog/products", summary: "Create a product", tag: "catalog",
                access: .permission(.catalogWrite), requestBody: Self.draftSchema, successStatus: 201,
                response: Self.productSchema)
        ) { request, context in
            let principal = try context.require(.catalogWrite)
            let body = try await request.decodeJSON(as: ProductBody.self, context: context)
            let created = try principal.tenant.createProduct(body.draft, by: principal.actor)
            return try respond(created, status: .created, etag: created.version, context: context, request: request)
        }

        api.add(
            RouteDoc(
                .get, "/v1/catalog/products", summary: "The tenant's products, oldest first", tag: "catalog",
                access: .permission(.catalogRead),
                query: [
                    ("status", .string(values: ProductStatus.allCases.map(\.rawValue)), "only products in this status"),
                    ("sku", .string(), "only the product with this SKU"),
                ],
                response: Self.productSchema, paginated: true)
        ) { request, context in
            let principal = try context.require(.catalogRead)
            let query = request.uri.queryParameters
            var problems: [InvalidParam] = []
            let page = PageRequest(query: query, problems: &problems)
            var status: ProductStatus?
            if let text = query.get("status") {
                status = ProductStatus(rawValue: text)
                if status == nil {
                    let names = ProductStatus.allCases.map(\.rawValue).joined(separator: ", ")
                    problems.append(InvalidParam(name: "status", reason: "must be one of \(names)"))
                }
            }
            guard problems.isEmpty else { throw APIError.validation(problems) }
            let rows: [ProductRecord]
            if let sku = query.get("sku") {
                rows =
                    (try principal.tenant.product(sku: sku)).map { [$0] }?.filter {
                        ($0.id?.rawValue ?? 0) > (page.after ?? 0) && (status == nil || $0.status == status)
                    } ?? []
            } else {
                rows = try principal.tenant.products(
                    after: page.after.map(ProductID.init), limit: page.limit + 1, status: status)
            }
            return Page(rows: rows, request: page, id: { $0.id?.rawValue ?? 0 }) { $0 }
        }

        api.add(
            RouteDoc(
                .get, product, summary: "One product", tag: "catalog", access: .permission(.catalogRead),
                response: Self.productSchema)
        ) { request, context in
            let principal = try context.require(.catalogRead)
            let found = try principal.tenant.product(ProductID(try context.pathID("id")))
            return try respond(found, etag: found.version, context: context, request: request)
        }

        api.add(
            RouteDoc(
                .put, product, summary: "Replace a product (the whole shape, as for create)", tag: "catalog",
                access: .permission(.catalogWrite), requestBody: Self.draftSchema, response: Self.productSchema,
                requiresIfMatch: true)
        ) { request, context in
            let principal = try context.require(.catalogWrite)
            let current = try principal.tenant.product(ProductID(try context.pathID("id")))
            try ETag.checkIfMatch(request, currentVersion: current.version)
            let body = try await request.decodeJSON(as: ProductBody.self, context: context)
            let updated = try principal.tenant.updateProduct(
                current.id!, expectedVersion: current.version, with: body.draft, by: principal.actor)
            return try respond(updated, etag: updated.version, context: context, request: request)
        }

        api.add(
            RouteDoc(
                .patch, product,
                summary:
                    "Change some of a product (JSON merge patch): members left out stay, objects merge, null clears",
                tag: "catalog", access: .permission(.catalogWrite), requestBody: Self.patchSchema,
                response: Self.productSchema, requiresIfMatch: true)
        ) { request, context in
            let principal = try context.require(.catalogWrite)
            let current = try principal.tenant.product(ProductID(try context.pathID("id")))
            try ETag.checkIfMatch(request, currentVersion: current.version)
            let patch = try await request.decodeJSONMergePatch(context: context)
            let draft = try ProductBody.patching(current.draft, with: patch)
            let updated = try principal.tenant.updateProduct(
                current.id!, expectedVersion: current.version, with: draft, by: principal.actor)
            return try respond(updated, etag: updated.version, context: context, request: request)
        }

        api.add(
            RouteDoc(
                .delete, product, summary: "Delete a product with no reserved stock", tag: "catalog",
                access: .permission(.catalogWrite), successStatus: 204, requiresIfMatch: true)
        ) { request, context in
            let principal = try context.require(.catalogWrite)
            let current = try principal.tenant.product(ProductID(try context.pathID("id")))
            try ETag.checkIfMatch(request, currentVersion: current.version)
            try principal.tenant.deleteProduct(current.id!, expectedVersion: current.version, by: principal.actor)
            return Response(status: .noContent)
        }
    }

    func registerInventory(_ api: RouteRegistry) {
        let stock = "/v1/catalog/products/{id}/inventory"
        api.add(
            RouteDoc(
                .get, stock, summary: "A product's stock at every location, by location", tag: "inventory",
                access: .permission(.catalogRead), response: StockResource.schema, paginated: true)
        ) { request, context in
            let principal = try context.require(.catalogRead)
            let page = try PageRequest(query: request.uri.queryParameters)
            let rows = try principal.tenant.stock(of: ProductID(try context.pathID("id")))
            // Locations have no id: the cursor is the position in location order.
            let numbered = rows.enumerated().map { (Int64($0.offset + 1), $0.element) }
                .filter { $0.0 > (page.after ?? 0) }
            return Page(rows: Array(numbered.prefix(page.limit + 1)), request: page, id: { $0.0 }) {
                StockResource($0.1)
            }
        }

        api.add(
            RouteDoc(
                .get, "\(stock)/{location}", summary: "A product's stock at one location", tag: "inventory",
                access: .permission(.catalogRead), response: StockResource.schema)
        ) { request, context in
            let principal = try context.require(.catalogRead)
            let (product, location) = try Self.stockPath(context)
            guard let row = try principal.tenant.stock(of: product, at: location) else {
                throw APIError(.notFound, "product \(product) has no stock at \(location)")
            }
            return try respond(StockResource(row), etag: row.version, context: context, request: request)
        }

        api.add(
            RouteDoc(
                .post, "\(stock)/{location}/adjust",
                summary: "Add (delta > 0) or remove (delta < 0) units on hand; never below what is reserved",
                tag: "inventory", access: .permission(.catalogWrite),
                requestBody: .object([("delta", .integer)], required: ["delta"]), response: StockResource.schema)
        ) { request, context in
            let principal = try context.require(.catalogWrite)
            let (product, location) = try Self.stockPath(context)
            let body = try await request.decodeJSON(as: AdjustBody.self, context: context)
            let row = try principal.tenant.adjustStock(of: product, at: location, by: body.delta, by: principal.actor)
            return try respond(StockResource(row), etag: row.version, context: context, request: request)
        }

        api.add(
            RouteDoc(
                .post, "\(stock)/{location}/reservations",
                summary: "Reserve units for an order; 409 when fewer are available", tag: "inventory",
                access: .authenticated, requestBody: .object([("quantity", .integer)], required: ["quantity"]),
                successStatus: 201, response: ReservationResource.schema)
        ) { request, context in
            let principal = try context.authenticated()
            guard !principal.permissions.isDisjoint(with: [.catalogWrite, .ordersPlace]) else {
                throw APIError(.forbidden, "reserving stock needs the orders.place or catalog.write permission")
            }
            let (product, location) = try Self.stockPath(context)
            let body = try await request.decodeJSON(as: ReserveBody.self, context: context)
            let reservation = try principal.tenant.reserve(
                body.quantity, of: product, at: location, by: principal.actor)
            return try respond(ReservationResource(reservation), status: .created, context: context, request: request)
        }

        api.add(
            RouteDoc(
                .get, "/v1/catalog/products/{id}/reservations", summary: "A product's open reservations, oldest first",
                tag: "inventory", access: .permission(.catalogRead), response: ReservationResource.schema,
                paginated: true)
        ) { request, context in
            let principal = try context.require(.catalogRead)
            let page = try PageRequest(query: request.uri.queryParameters)
            let rows = try principal.tenant.reservations(of: ProductID(try context.pathID("id")))
                .filter { ($0.id?.rawValue ?? 0) > (page.after ?? 0) }
            return Page(rows: Array(rows.prefix(page.limit + 1)), request: page, id: { $0.id?.rawValue ?? 0 }) {
                ReservationResource($0)
            }
        }

        for (action, summary) in [
            ("release", "Give a reservation's units back to the available stock"),
            ("commit", "Ship a reservation: its units leave the stock"),
        ] {
            api.add(
                RouteDoc(
                    .post, "/v1/catalog/reservations/{id}/\(action)", summary: summary, tag: "inventory",
                    access: .permission(.catalogWrite), response: StockResource.schema)
            ) { request, context in
                let principal = try context.require(.catalogWrite)
                let id = ReservationID(try context.pathID("id"))
                let row =
                    action == "release"
                    ? try principal.tenant.releaseReservation(id, by: principal.actor)
                    : try principal.tenant.commitReservation(id, by: principal.actor)
                return try respond(StockResource(row), etag: row.version, context: context, request: request)
            }
        }
    }

    /// The product id and location of a stock path; the product must be the caller's (checked
    /// by the store call that follows).
    static func stockPath(_ context: TalyRequestContext) throws(APIError) -> (ProductID, String) {
        let product = ProductID(try context.pathID("id"))
        let raw = context.parameters.get("location") ?? ""
        return (product, raw.removingPercentEncoding ?? raw)
    }
}
