/// Rules for new accounts that need no database, so the HTTP layer can check a request before
/// reaching a tenant scope.
extension UserRecord {
    /// Every rule a new user's fields break, each as `.invalid` naming its field, so a caller can
    /// report them all at once (`createUser` stops at the first).
    public static func newUserProblems(email: String, displayName: String, password: String) -> [StoreError] {
        var problems: [StoreError] = []
        do { _ = try EmailAddress(validating: email) } catch { problems.append(error) }
        do { _ = try TenantScope.validDisplayName(displayName) } catch { problems.append(error) }
        do { try PasswordHasher.validate(password) } catch { problems.append(error) }
        return problems
    }

    /// 24 characters from 56 unambiguous letters and digits: about 139 bits.
    public static func generatePassword() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<24).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
