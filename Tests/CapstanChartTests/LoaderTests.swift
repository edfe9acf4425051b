@testable import CapstanChart
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
import CapstanModel
import CapstanTemplate

/// Archives, .helmignore, version constraints and schema messages.
@Suite struct LoaderTests {
    @Test func loadsArchiveWithOwnInflate() throws {
        let path = Corpus.charts + "/umbrella/charts/frontend-1.4.0.tgz"
        let chart = try ChartLoader.load(path: path)
        #expect(chart.name == "frontend")
        #expect(chart.templates.map(\.name) == ["templates/service.yaml"])
        #expect(chart.values["title"] == "default-title")
    }

    /// Two gzip members (made by zlib): a dynamic-Huffman stream with a sync flush in the
    /// middle (an empty stored block, byte-aligned, after table-decoded codes) and a
    /// fixed-Huffman one. The text uses every byte value once, so some codes are longer than
    /// the lookup table and take the bit-by-bit route. Both members must give the text back.
    @Test func inflateTableAndLongCodes() throws {
        var text: [UInt8] = []
        for i in 0..<300 {
            text += Array("key-\(i): value \(i * i % 97) \(String(repeating: "ab", count: i % 7))\n".utf8)
        }
        text += (0...255).map { UInt8($0) }
        let gz = try Base64.decode("""
            H4sIAAAAAAACA3xXS25cMQzb9xRzgQKWJf96mwTIKt22QG/fIJb1s/CWQ2IypPVjPj/+/Sy/Xn/ffv/5eJXXj8+vz3A+w+vt/RupB6EvhDE82P
            rGGCX5bmeYiXaI2oRgqh8Ku6GYHPLTa6ubB+h05K0DTVB9ILbQCgRxV8krBHU5okQQt6PeGkFcV35BcYvyhiA2ezUqxd9qTqbYRAwyxe0oUWYV
            z5DIrGK94dZZxfLqUmuxSqbaVSwusDqrOKWgs4rfRZdOcd1KolO8T5Yplns7MlGs1mGaUizOaWWiGG2h6ih2a40yUUzPdctEsd5h60TtZNUpVs
            E0J6rF7nSq0zA/JH5pRp0krjEpO4l34Pck8SxVJ60vqkwSi9N1J4nRsYJMsTuuOScxPTCRuQy7V0Zxf2tjEH55ozXX2TC4UobsE3iqmfe6ZLZu
            3nojw1VmYzPUcaMrr3ovoUeUAddRnqum/y6dHU3vboRcp2+shbnYaM+nqI8wc8pMN6GeU9fJei9mE2wE3N7YWA1bZqOY76RBYYMp09y+81w32/
            HWOcxm3ch0e3hjK2ztfbFKvuMnhIugTHX3w3O6sG6Zk8yd2khzV21jPdzAjY70YM4Zrqsyy51ix61i7vYlc4E5+RupLh9sDEOY2CilwWM1n1GU
            6DbOeGpo8rk1Tv3eBpb9Bc4YxYthFK4UxERNUhBTmKYgJunpNaE0UwiGuqsag6HCjM4rETGxkkDEIaqkeYhJeOhQANvbDKEbBAYpTA3D7QpGTP
            QkFzE10ljE5Hyae9C4tbhVQVMWaSdouFo2hNZ65SMmMIlHTFGajphsD9sUNHR97WGG/NJmcIYNz/C6YhLH35KkJKYgDUlMPt4o0PCFR65mLtDG
            1ag1zSYAzVvdzxmOJCwxNdOsxOR6Ov2gGey0giav74DBYEwjDOMVmpigJDMx1dLIxGR/ylPgohhD00lgcKVyNX0t37kawUJEhVbT52MSn0IqaC
            Cjef6Jaq68DPa0FTSEwX8AAAD//32Zd/xPZRTH7ZCVkC0KIbrPueO5z0tZRZIRkhIRysqeiewRpczMki0qylbZhJZd2WXvUbb4/XHu9zzPved+
            /z2fP77n+9zznPM+n0eY2foMQaGk2OLEbc1Kxv6CwAyCnc8zdwwM2uxF01hMGukSkHnhdDUqi2abdKEShGcqGBBEZQ5VLtGY0cQIyRyzLUhgeA
            olm22rKDrJ9lRBmCYDS4LozNbSleyIIDJLcBUKisEqXLctbmahJpIu/77uG2DINkYqBh1u+hKf+WbhEqR54QHhSxYHUPST2SmCoA2CrkCsJuie
            EaLpZKMgTFkYt6OQhYrDMRZqLodmCdWj38KI1HPCmM9BolAqQlrokFjM8aAk4o8VCN0M2E3ItvYZMWR8b4y5HHkD0ZojzWwlU3oo+bEVC5Zi94
            eED2RpFwRDwrhKGARunQHNDLOMbAV3rVFy49sBELopj0tXau0HQ77RqDCouC0RCNeUUbSg+WEhYgTCtkivBSI3Y9dNyHprx5BrDAEMetzqDRqu
            gZmtzwwklJIMMiB0s7l0Cd9EULgEbb7mCtqcowG2EyEtFFxm3KPkxWMCELpxpUD0pgIL0zbxBd1Ki7OJgHBNml2BkE2GbUwN26KVy6KbJrtaGh
            jyuHQl574B4ZpnZsthKtqxVjzeApGbw+AtEL55yLdA0KaVgutwliYQrtnm4RKyeSKcroxfHoDQDTg329WXFbScLeaiaaimOcWg2WdmuhqyhR3t
            JIsZELkpbkAQvTlB5RK0aU2MUM2w3z0VaZHopFtMY0VJxK+9QOgmOQue8M0O0pUOMyII1fRXDdBwzXwuIGQLdwXNT2OyVezbTOLBwNLGKoZEdP
            oSqekPRUC05pkDwudsF5TceLsGNH+N6wqEbyK4ZwRtirJVzKsbaLBm5Eq8Fp5lxGzR4UDcxtWsbrVhxI2iIqjw38WwjBwRCn7ssaoYSzFV6jRp
            06XP8EDGTJkfzJI1W/YcD+V8OFfuPI/kzZe/QMFChYs8WrTYY48XL1HyiVKlyzxZttxTlkiZTK4nU86w/NPPVKhYqXKVZ5+rWu356i/UeLFmrd
            p1Xqpbr/7LDV5p+OprjV5v3OSNps3ebN6i5Vtvt2rdpm27d9p36Nipc5eu3br36Nnr3d7v9en7fr/+AwYOGjxk6LDhH4wY+eFHoz7+ZPSYsePG
            T/h04qTJU6ZO++zz6V/MmDlr9py58+Z/uWDhV19/s2jxt98tWbps+YqVq1Z//8OPa9auW79h46bNW37aum37z7/8+tvvO3bu2r1n774//vxr/4
            GDhw4fOfr3P8eOnzh56vSZs+fOX7h46fKVq//+d+36jZu3bt+5+/+9+09Z6OqnHQAAH4sIAAAAAAACA8tOrdQ1sFIoS8wpTVUwUODKBvINYXxD
            hcQksIgRTMQEKAIVM4aJWYLFoKImcL1mUGGohClMwsgULgGVMoNJGZshSUElzeFWW0JcZwETMDOBOc8SJmRhiHCfIdxbxsgONIT7zsgE1YWGCF
            +aozvREO5bcyNMNxrCfW0EDUG4b43hYWgI96aZEZIr4f6zNEVxJtybxsZozoT71twA3ZlGcD8bYnGmEdzrpsYQdxrBvWxpBo9ruFdNkGLbCO5F
            S0NkdxrBfWqC5k4juH8tTTDcCfe1qQEWd8L9bgF1JtzLZqYwZxrDvWpkjpQo4V60sEB2pjHco6ZosW4M966REbozjeGetrDEdKYx3OtmhhB3Gi
            NSMsKdcK8aIiVOY4QXzVDcifApWv4xgfvXxALdnSZwXxtjiXYTuN8NoeFpAvczPNZNEPFrjHCmCdyLFiip0wTuUXNLNGfCvWuOkc9N4J42N8bi
            TEskWUiRYYBiFkTMEM1miKgRdneaGqP5CiFjghwEqFKmSOGF4UxTM6SwhoiYo8QMRMwCLR4hopbYY93MAC2NIGQMUVIUqpwRUvrDcKeZMVLahY
            iYoKR0iJgpWr6AiJphz0Vm5mh5DiFjgZJDUeUQvsZSvBsglQQQEUOUcgMiZoRWykBEjbGXSeYmaCUYQsYUpbxDlTNDKh0x3WmOVLJCRCxQymGI
            mCVaqQ2psQywl/EWhmg1AkLGCKX+QJVDFFiYzrQwQaqnICKmKLUaRMwMrQ6EiJpjrTAtLNBqV4SMJUpVjCJnaYBUb2M409IQqcqHiBihtA8gYs
            ZojQmIqAnWhoelKWobBSFhhtycQZUyR7R8MN1ogdAHEbBEtgHaxjBAdQxU1BCjFQSVMMLSCoJKGWNtBUElTfCFpqGBKVJEQIXMUGINKogWw1BR
            C4wWEVTCEkuDCNqIMsDaHoJKGuJJoYaGyGkbKmSMkhGggiZouQYqbIrRMIJKmGFpF0GlzLE2i6CSFvjyvSGiuWUJTaqGiFaWCSIlIBpXlsiNUC
            MjjPYRVMIYS/MIKmWCtXUElTTFU5oaIhpdwHIYKoRaaEMFLdBKeKiwJUYzCdr8NcDSSoJKGWJtJEEl8dZRhojGlzHMuYg2lyEi4SKaWhZIJYEh
            or1lhprPjM2xNJagUhZY20pQSUt8Vb8hog0GSwqIlhe4gQEVRG+NQIWNMRpNUAkTLG0mqJQp1iYTVNIMX3vKEKUpBhWyQHECVNASq3MRrS9L1J
            SLaIKhNVENTY2wBh9U0hhfI9UQ0SAzsYB1okxRohcqaIY1KZiaYzShoBIWWFpQUClLrIkT2lszwNf2N0Q0zIxgfT4z1D4GVNAYa0ZDaouZozgX
            0SAzQ3cuUqsM07V4O1SGiOaZJayCQLTKTBApF9EaQynEEE0yE9RiwdwIS3sKKmWMtViFSprg66caIppp5rAhCUTrzBjJueZYqwhEywzeroJKWG
            JpVkG72wbY6iyonCHezr8F8rgBVMgYpUqFCppgq30R7TML1ISLaKSZoVcQFuZYmwNQSQt8wymGiEabEaxUQLTVDBH5DNFEQ27ZWBqht7Kg4saY
            jSyojAm2NhZUzhRb0wwua4awCypijuwmqJgFtkaioaUlRksLOkJigCV4oFKGuIPVCNF0Q2nswqWNkaIRKoQS31AxU2wtbyNEa83EHNW15liSHl
            TKAmeKNTKwxNp/gI8DGSBlEKiQIUpWggoaYevOGCENhhmguNYQW7aGSpniLg6MEE03SzNszjVHKn6gQhYoBRVU0BJbL9EI0VyzREm0RkjjYWgt
            RiNEsw2jrDVCtNxQ+rpwaeSiHSpkilIJQAXNsHW9jZCaa0aorrXAUiFBpfBUZEaIppsxNucimm+GsISLaLRZII0KGmMb0TAyNsFoaUElTLFU91
            ApM9zNBCNE0w1bUkC03ixhQ5jGqM0X6GilAbZhIiNEc80ctVRANNnM0YcxkZptmCkXa9MNSdoUyRlQITNszjXHNvpmhGiumaG6FlszFToca4C7
            eWuEaLmZYGneGiGab2bQ9q0RotGGlBRMTbANaRohmmvGqIGLaLKZGaI71xx358EI0XQzwjaabYrcWYEOORtgyWhITTWkkWIjpOEzVOciNdnQR7
            TxdMyMEC03S2wVBKL1ZgJLuYhGG1IhhmiqoQy/m1liFJHQkXQDLAUrVMoQd7fXCNF0M8c2BI9ovhnDnGtugqWKQDTVkGc1jJCaa6jTBYgmG3qp
            gDSehsW1lljnZuATBgZI1SpUyBCz9kW01JAniowQrTUz1ArCAtuwC1TKFPdwjRHS+Bq2UgHRfDOE5TNEo80S4VpLLLNuRkiNNRS3Itpr6HUZos
            2GWTkg2m3Y0izyUBtUxBSzqWhkie5dqLA5RhBBJSxwBqsljiFFBkYmZhZWNnYOTi5uHl4+fgFBIWERUTFxCUkpaRlZOXkFRSVlFVU1dQ1NLW0d
            XT19A0NgzWRqZg4MQ2sbWzt7B0cnZxdXN3cPTy9vH18//4DAoOCQ0LDwiMio6JjYuPiExKTklNS09IzMrOyc3Lz8gsKi4pLSsvKKyqrqmtq6+o
            bGpuaW1rb2js6u7p7evv4JEydNnjJ12vQZM2fNnjN33vwFCxctXrJ02fIVK1etXrN23foNGzdt3rJ12/YdO3ft3rN33/4DBw8dPnL02PETJ0+d
            PnP23PkLFy9dvnL12vUbN2/dvnP33v0HDx89fvL02fMXL1+9fvP23fsPHz99/vL12/cfP3/9/vP3338AT1no6qcdAAA=
            """.filter { !$0.isWhitespace }).get()
        #expect(try gunzip(gz) == text + text)
        // Each member alone, and a member cut short (must fail, not trap).
        #expect(try gunzip(Array(gz[..<1782])) == text)
        #expect(try gunzip(Array(gz[1782...])) == text)
        for cut in [20, 300, 900, 1500] {
            #expect(throws: ArchiveError.self, "cut at \(cut)") { try gunzip(Array(gz[..<cut])) }
        }
    }

    @Test func inflateStoredAndCorrupt() {
        // A stored (uncompressed) deflate block holding "hi".
        let stored: [UInt8] = [0x01, 0x02, 0x00, 0xFD, 0xFF, 0x68, 0x69]
        #expect((try? inflate(stored).output) == Array("hi".utf8))
        #expect(throws: ArchiveError.self) { try gunzip([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0]) }
        #expect(throws: ArchiveError.self) { try gunzip([1, 2, 3]) }
    }

    @Test func umbrellaDirectoryHonoursHelmignore() throws {
        let chart = try ChartLoader.load(path: Corpus.charts + "/umbrella")
        let names = chart.files.map(\.name)
        #expect(names.contains("files/lines.txt"))
        #expect(!names.contains("files/conf/old.bak"))
        #expect(!names.contains("README-internal.md"))
        #expect(!names.contains("ignored/secret.txt"))
        #expect(Set(chart.dependencies.map(\.name)) == ["backend", "frontend", "libcommon"])
    }

    /// Paths are cut at their first slash as `split(separator: "/", maxSplits: 1)` cuts them.
    @Test func cutAtSlashMatchesSplit() {
        for path in ["a/b/c", "a", "a/", "/x", "", "é/ü/ö", "charts/sub-1.0.tgz", "x//y"] {
            let parts = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            let (head, tail) = cutAtSlash(path[...])
            #expect(head == parts[0], "\(path)")
            #expect(tail.map(String.init) == (parts.count == 2 ? String(parts[1]) : nil), "\(path)")
        }
    }

    /// `byteCount` counts bytes as the generic walk over the UTF-8 view does, bridged or not.
    @Test func byteCountMatchesUTF8Walk() {
        let samples = ["a/b/c", "", "/", "é/ü/ö`x`", "chart/templates/x.yaml", String(repeating: "a/", count: 40)]
        for s in samples {
            for b in [UInt8(ascii: "/"), UInt8(ascii: "`"), 0xC3] {
                #expect(byteCount(b, in: s) == s.utf8.count(where: { $0 == b }), "\(s)")
            }
        }
    }

    @Test func helmignoreRules() throws {
        let rules = try HelmIgnore(parsing: "*.tmp\n/top.txt\nsub/x.txt\nbuild/\n")
        #expect(rules.ignores("a/b/c.tmp", isDirectory: false))
        #expect(rules.ignores("top.txt", isDirectory: false))
        #expect(!rules.ignores("a/top.txt", isDirectory: false))
        #expect(rules.ignores("sub/x.txt", isDirectory: false))
        #expect(rules.ignores("build", isDirectory: true))
        #expect(!rules.ignores("build", isDirectory: false))
        // CRLF line ends: each line is a rule of its own (Go's scanner drops the `\r`).
        let crlf = try HelmIgnore(parsing: "*.tmp\r\n/top.txt\r\nbuild/\r\n")
        #expect(crlf.ignores("a/b.tmp", isDirectory: false))
        #expect(crlf.ignores("top.txt", isDirectory: false))
        #expect(crlf.ignores("build", isDirectory: true))
        #expect(!crlf.ignores("keep.txt", isDirectory: false))
        // Helm 4.2: an unmatched negation ignores the path.
        let neg = try HelmIgnore(parsing: "!keep.txt\n")
        #expect(neg.ignores("Chart.yaml", isDirectory: false))
        #expect(!neg.ignores("keep.txt", isDirectory: false))
        #expect(throws: ChartError.self) { try HelmIgnore(parsing: "a/**/b\n") }
        // Malformed globs fail the load whatever their shape; well-formed ones do not.
        for bad in ["[a", "a\\", "*[", "x[]", "*.[", "\\"] {
            #expect(throws: ChartError.self, "\(bad)") { try HelmIgnore(parsing: bad + "\n") }
        }
        for good in ["[ab]c", "a\\*", "*", "?", "*.swp", "[^x]", "a[-]b", "/x", "d/"] {
            #expect(throws: Never.self, "\(good)") { try HelmIgnore(parsing: good + "\n") }
        }
    }

    /// Plain-name and `*suffix` rules match by comparison; the result equals the glob
    /// matcher's for names with and without `/`, multi-byte text and near misses.
    @Test func helmignoreShortcutsAgreeWithGlob() throws {
        let patterns = ["*.swp", "*", ".git", "*~", "*.tar.gz", "*é", "a*b", "[ab]c", "?x", "ab\\*", "docs/*.md", "x/y"]
        let names = ["a.swp", ".swp", "swp", "dir/a.swp", "a.swpx", ".git", ".gitx", "git", "file~", "~", "a.tar.gz",
                     "tar.gz", "café", "é", "ab", "acb", "ac", "bx", "ab*", "docs/a.md", "x/y", "", "a/b/c"]
        for pattern in patterns {
            var rules = HelmIgnore()
            try rules.add(pattern)
            let rule = try #require(rules.rules.first)
            for name in names {
                let n = Array(name.unicodeScalars)
                #expect(rule.matches(n[...]) == rule.matchesByGlob(n), "\(pattern) vs \(name)")
                // A base name sliced out of a longer path matches like a copy of it.
                let path = Array("dir/".unicodeScalars) + n
                #expect(rule.matches(path[4...]) == rule.matchesByGlob(n), "\(pattern) vs dir/\(name)")
            }
        }
        var rules = HelmIgnore()
        try rules.add("*.swp"); try rules.add(".git"); try rules.add("a*b")
        #expect(rules.rules.map(\.shape) == [.starSuffix(Array(".swp".unicodeScalars)[...]), .literal, .general])
    }

    @Test func semverConstraints() {
        #expect(isCompatibleRange(">=1.20.0-0", "v1.36.0"))
        #expect(!isCompatibleRange(">=1.20.0-0", "v1.19.4"))
        #expect(isCompatibleRange("~0.3.0", "0.3.1"))
        #expect(!isCompatibleRange("~0.3.0", "0.4.0"))
        #expect(isCompatibleRange("^1.2.3", "1.9.0"))
        #expect(!isCompatibleRange("^1.2.3", "2.0.0"))
        #expect(isCompatibleRange("1.x", "1.4.0"))
        #expect(isCompatibleRange(">1.0, <2.0 || =3.0.0", "3.0.0"))
        #expect(isCompatibleRange("1.0 - 2.0", "1.5.0"))
        #expect(!isCompatibleRange(">=1.0.0", "1.5.0-beta"))
        #expect(!isCompatibleRange("", "1.0.0"))
        #expect(SemVer(parsing: "1.2").map { [$0.major, $0.minor, $0.patch] } == [1, 2, 0])
        #expect(SemVer(parsing: "v1.29.0-rc.1+b").map { [$0.prerelease, $0.metadata] } == ["rc.1", "b"])
        #expect(SemVer(parsing: "x.y") == nil)
        #expect(SemVer(parsing: "1.2.3-") == nil)
        #expect(SemVer(parsing: "V1.2.3") == nil)
    }

    /// `.Chart` fields converted one at a time: every `chart.Metadata` field exists, values as
    /// Chart.yaml gives them, absent ones as Go's zero values, unknown names are no member.
    @Test func chartObjectFieldsOnDemand() throws {
        let meta = try ChartMetadata(document: ["apiVersion": "v2", "name": "web", "version": "1.2.0",
                                                "appVersion": 3, "annotations": ["a": "b"], "keywords": ["k"]])
        let object = ChartMetadataObject(meta)
        for name in ChartMetadata.templateFieldNames { #expect(object.member(name) != nil, "\(name)") }
        #expect(object.member("Nope") == nil)
        let text = "{{ .Chart.Name }}|{{ .Chart.AppVersion }}|{{ .Chart.Home }}|{{ .Chart.Keywords }}|"
            + "{{ .Chart.Annotations }}|{{ .Chart.Deprecated }}|{{ .Chart.Dependencies }}|{{ .Chart }}"
        let chart = Chart(metadata: meta, templates: [ChartFile(name: "templates/a.txt", data: Array(text.utf8))])
        let files = try ChartRenderer.renderTemplates(chart, values: ValueObject(), options: RenderOptions())
        #expect(files["web/templates/a.txt"] == "web|3||[k]|map[a:b]|false|[]|&{web  [] 1.2.0  [k] []  v2   3 false map[a:b]  [] }")
    }

    /// Remembered answers (asked twice) are the direct check's answers.
    @Test func compatibleRangeMemoAgreesWithDirectCheck() {
        let pairs = [(">=1.20.0-0", "v1.36.0"), ("~0.3.0", "0.4.0"), ("^1.2.3", "1.9.0"), ("", "1.0.0"),
                     ("1.x", "1.4.0"), ("bad", "1.0.0"), (">=1.0.0", "nope")]
        for _ in 0..<2 {
            for (constraint, version) in pairs {
                #expect(isCompatibleRange(constraint, version) == SemanticVersion.satisfies(constraint, version))
            }
        }
    }

    @Test func schemaMessagesLikeHelm() throws {
        let schema = #"{"type":"object","required":["name"],"properties":{"a":{"type":"integer","minimum":5},"mode":{"enum":["x","y"]},"list":{"type":"array","items":{"type":"string"}}}}"#
        let v = try SchemaValidator(schema: Array(schema.utf8))
        let text = SchemaValidator.render(v.validate(["a": 1, "mode": "z", "list": [1, 2]]))
        #expect(Set(text.split(separator: "\n")) == [
            "- at '': missing property 'name'",
            "- at '/a': minimum: got 1, want 5",
            "- at '/mode': value must be one of 'x', 'y'",
            "- at '/list': validation failed",
            "  - at '/list/0': got number, want string",
            "  - at '/list/1': got number, want string",
        ])
        #expect(v.validate(["name": "n", "a": .double(7)]).isEmpty)
        #expect(SchemaValidator.render(v.validate(["name": "n", "a": .double(7.5)])) == "- at '/a': got number, want integer\n")
    }

    @Test func filesGlob() {
        #expect(FileGlob("files/**")?.matches("files/conf/a.txt") == true)
        #expect(FileGlob("files/*")?.matches("files/conf/a.txt") == false)
        #expect(FileGlob("files/*.{txt,pem}")?.matches("files/c.pem") == true)
        #expect(FileGlob("f?les/[a-c].txt")?.matches("files/b.txt") == true)
        #expect(FileGlob("[") == nil)
    }
}

/// The directory walk (files read relative to each open directory, `.helmignore` read once)
/// gives the same chart as reading every file by its path and sorting them with `loadFiles`.
@Suite struct DirectoryWalkTests {
    /// The general way: list and read by full paths, filter with the rules, `loadFiles`.
    func loadByPaths(_ top: String) throws -> Chart {
        var rules = HelmIgnore()
        if var data = try? FileSystem.read(top + "/.helmignore") {
            if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
            rules = try HelmIgnore(parsing: String(decoding: data, as: UTF8.self))
        }
        rules.addDefaults()
        var files: [ChartFile] = []
        func walk(_ relative: String) throws {
            for entry in try FileSystem.list(relative.isEmpty ? top : top + "/" + relative) {
                let rel = relative.isEmpty ? entry.name : relative + "/" + entry.name
                if rules.ignores(rel, isDirectory: entry.isDirectory) { continue }
                if entry.isDirectory { try walk(rel); continue }
                var data = try FileSystem.read(top + "/" + rel)
                if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
                files.append(ChartFile(name: rel, data: data))
            }
        }
        try walk("")
        return try ChartLoader.loadFiles(files)
    }

    func expectSame(_ a: Chart, _ b: Chart) {
        #expect(a.metadata.name == b.metadata.name)
        #expect(a.values == b.values)
        #expect(a.schema == b.schema)
        #expect(a.templates == b.templates)
        #expect(a.files == b.files)
        #expect(a.dependencies.count == b.dependencies.count)
        for (x, y) in zip(a.dependencies, b.dependencies) { expectSame(x, y) }
    }

    @Test func corpusChartsLoadAlike() throws {
        for name in try FileSystem.list(Corpus.charts).filter(\.isDirectory).map(\.name) {
            let path = Corpus.charts + "/" + name
            guard let walked = try? ChartLoader.load(path: path) else {
                #expect(throws: ChartError.self) { try loadByPaths(path) }
                continue
            }
            expectSame(walked, try loadByPaths(path))
        }
    }

    @Test func helmignoreWithBOMSymlinksAndIgnoredFIFO() throws {
        let top = NSTemporaryDirectory() + "capstan-walk-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: top) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: top + "/templates/nested", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: top + "/other", withIntermediateDirectories: true)
        fm.createFile(atPath: top + "/Chart.yaml", contents: Data("apiVersion: v2\nname: walk\nversion: 1.0.0\n".utf8))
        fm.createFile(atPath: top + "/.helmignore", contents: Data([0xEF, 0xBB, 0xBF] + Array("*.bak\npipe\n".utf8)))
        fm.createFile(atPath: top + "/values.yaml", contents: Data("a: 1\n".utf8))
        fm.createFile(atPath: top + "/templates/a.yaml", contents: Data([0xEF, 0xBB, 0xBF] + Array("x: {{ .Values.a }}\n".utf8)))
        fm.createFile(atPath: top + "/templates/nested/b.yaml", contents: Data("b: 2\n".utf8))
        fm.createFile(atPath: top + "/templates/old.bak", contents: Data("ignored".utf8))
        fm.createFile(atPath: top + "/other/big.txt", contents: Data(repeating: 0x61, count: 100_000))
        try fm.createSymbolicLink(atPath: top + "/other/link.txt", withDestinationPath: top + "/values.yaml")
        try fm.createSymbolicLink(atPath: top + "/linked", withDestinationPath: top + "/other")
        #expect(mkfifo(top + "/pipe", 0o600) == 0)
        let walked = try ChartLoader.load(path: top)
        expectSame(walked, try loadByPaths(top))
        #expect(walked.files.map(\.name) == [".helmignore", "linked/big.txt", "linked/link.txt", "other/big.txt", "other/link.txt"])
        #expect(walked.files.first?.data == Array("*.bak\npipe\n".utf8))
        #expect(walked.templates.map(\.name) == ["templates/a.yaml", "templates/nested/b.yaml"])
        // Trailing slash and a path that is not there.
        expectSame(try ChartLoader.load(path: top + "/"), walked)
        #expect(throws: ChartError.self) { try ChartLoader.load(path: top + "/missing") }
    }
}
