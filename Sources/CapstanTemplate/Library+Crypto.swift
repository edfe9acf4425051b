/// sprig's certificate and key functions. Their signatures are declared (so charts that use
/// them parse, and wrong arguments fail as in Go), but the project has no crypto library in
/// this module yet: a call fails with Go's function-error shape,
/// `error calling genCA: genCA is not supported yet`.
extension Library {
    /// Parameter lists as sprig declares them (`[]interface{}` for IP and DNS lists, the
    /// certificate argument of `genSignedCert*` is a sprig `certificate` struct: `any`).
    static let cryptoSignatures: [String: [TemplateFunction.Parameter]] = [
        "genCA": [.string, .int],
        "genCAWithKey": [.string, .int, .string],
        "genSelfSignedCert": [.string, .list, .list, .int],
        "genSelfSignedCertWithKey": [.string, .list, .list, .int, .string],
        "genSignedCert": [.string, .list, .list, .int, .any],
        "genSignedCertWithKey": [.string, .list, .list, .int, .any, .string],
        "genPrivateKey": [.string],
        "buildCustomCert": [.string, .string],
    ]

    static let crypto: [String: TemplateFunction] = {
        var table: [String: TemplateFunction] = [:]
        for (name, parameters) in cryptoSignatures {
            table[name] = .fn(parameters) { _ in throw TemplateFunctionError("\(name) is not supported yet") }
        }
        return table
    }()
}
