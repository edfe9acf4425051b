#!/usr/bin/env python3
"""Writes the hand-written golden cases (templates + values, no expected output).

Run it, then `oracle.py --update .` to fill in what Helm 4 renders. (Generated fuzz cases
come from generate_fuzz.py / generate_control_fuzz.py; scaffold cases from the helm create
scaffold via helm-python-sdk.)
"""
import json, os, sys
D = os.path.dirname(os.path.abspath(__file__))
V = {"name": "web", "replicas": 3, "big": 1000000, "f": 1.5, "neg": -2, "port": 8080, "enabled": True, "off": False,
     "empty": "", "nul": None, "list": ["a", "b", "c"], "nums": [3, 1, 2], "map": {"z": 1, "a": "x", "m": [1, 2]},
     "nested": {"a": {"b": {"c": "deep"}}}, "image": {"repository": "nginx", "tag": "1.25"},
     "labels": {"app": "web", "tier": "frontend"}, "text": "Hello World", "multi": "line1\nline2\n",
     "resources": {"limits": {"cpu": "100m", "memory": "128Mi"}}, "annotations": {}, "emptyList": [], "zero": 0,
     "sq": "it's", "dq": "say \"hi\"", "html": "<a&b>", "ver": "1.2.3", "kv": "v1.27.3-gke.100"}
cases = {
 # --- basics, trimming, comments
 "text_only": ("plain text\nno actions\n", None),
 "trim_markers": ("a  {{- \"b\" -}}  c\n  {{- /* comment */ -}}\nd {{ \"e\" }} f\n", None),
 "comment_plain": ("x{{/* hello */}}y\n", None),
 "values_basic": ("name: {{ .Values.name }}\nreplicas: {{ .Values.replicas }}\nbig: {{ .Values.big }}\nf: {{ .Values.f }}\nneg: {{ .Values.neg }}\n", V),
 "missing_value": ("a={{ .Values.nope }}|b={{ .Values.nul }}|c={{ .Values.nested.a.nope }}\n", V),
 "print_collections": ("{{ .Values.list }} {{ .Values.map }} {{ .Values.emptyList }} {{ .Values.annotations }}\n", V),
 "literals": ("{{ 1 }} {{ 1.5 }} {{ 1e6 }} {{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 'a' }} {{ -3 }} {{ 1_000 }} {{ \"s\\tq\" }} {{ `raw\\n` }} {{ true }} {{ 2.0 }} {{ 1e-7 }} {{ 123456789.0 }}\n", None),
 "release_chart": ("{{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.IsInstall }} {{ .Release.Revision }} {{ .Release.Service }} {{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Template.Name }} {{ .Template.BasePath }}\n", None),
 "capabilities": ("{{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.KubeVersion.Major }}.{{ .Capabilities.KubeVersion.Minor }} {{ .Capabilities.KubeVersion }} {{ .Capabilities.APIVersions.Has \"apps/v1\" }} {{ .Capabilities.APIVersions.Has \"x/v9\" }}\n{{ if semverCompare \">=1.19-0\" .Capabilities.KubeVersion.GitVersion }}new{{ else }}old{{ end }}\n", None),
 # --- control structures
 "if_else_chain": ("{{ range $i, $v := list 0 1 2 3 }}{{ if eq $v 0 }}zero{{ else if eq $v 1 }}one{{ else if eq $v 2 }}two{{ else }}many{{ end }} {{ end }}\n", None),
 "if_truthiness": ("{{ if .Values.empty }}T{{ else }}F{{ end }}{{ if .Values.emptyList }}T{{ else }}F{{ end }}{{ if .Values.zero }}T{{ else }}F{{ end }}{{ if .Values.nope }}T{{ else }}F{{ end }}{{ if .Values.enabled }}T{{ else }}F{{ end }}{{ if .Values.annotations }}T{{ else }}F{{ end }}{{ if .Values.map }}T{{ else }}F{{ end }}\n", V),
 "with_else": ("{{ with .Values.image }}{{ .repository }}:{{ .tag }}{{ end }} {{ with .Values.nope }}yes{{ else }}no{{ end }} {{ with .Values.nope }}a{{ else with .Values.name }}b={{ . }}{{ end }}\n", V),
 "range_list": ("{{- range .Values.list }}\n- {{ . }}\n{{- end }}\n{{ range $i, $e := .Values.list }}{{ $i }}={{ $e }};{{ end }}\n{{ range $e := .Values.nums }}{{ $e }}{{ end }}\n", V),
 "range_map_sorted": ("{{ range $k, $v := .Values.labels }}{{ $k }}: {{ $v }}\n{{ end }}{{ range .Values.map }}[{{ . }}]{{ end }}\n", V),
 "range_else": ("{{ range .Values.emptyList }}x{{ else }}empty{{ end }} {{ range .Values.nope }}x{{ else }}none{{ end }}\n", V),
 "range_int": ("{{ range 4 }}{{ . }}{{ end }} {{ range $i := 3 }}<{{ $i }}>{{ end }}\n", None),
 "range_break_continue": ("{{ range $i, $v := until 10 }}{{ if eq $v 2 }}{{ continue }}{{ end }}{{ if gt $v 5 }}{{ break }}{{ end }}{{ $v }}{{ end }}\n", None),
 "variables": ("{{ $x := 1 }}{{ $x }}{{ $x = 2 }}{{ $x }}{{ if true }}{{ $x = 3 }}{{ $y := 9 }}{{ $y }}{{ end }}{{ $x }} {{ $.Values.name }}\n{{ range .Values.list }}{{ $.Values.name }}-{{ . }} {{ end }}\n", V),
 "variable_scope_range": ("{{ $last := \"\" }}{{ range .Values.list }}{{ $last = . }}{{ end }}{{ $last }}\n", V),
 "define_include": ("{{ include \"c.name\" . }}\n{{ include \"c.labels\" . | nindent 2 }}\n{{ template \"c.name\" . }}\n", V, {"templates/_helpers.tpl": "{{- define \"c.name\" -}}\n{{ .Chart.Name }}-{{ .Values.name }}\n{{- end -}}\n{{- define \"c.labels\" -}}\napp: {{ include \"c.name\" . }}\nrelease: {{ .Release.Name }}\n{{- end -}}\n"}),
 "define_in_same_file": ("{{- define \"x\" }}X{{ . }}X{{ end -}}\n{{ include \"x\" 5 }} {{ template \"x\" \"s\" }}\n", None),
 "block": ("{{ block \"blk\" . }}default {{ .Values.name }}{{ end }}\n", V),
 "block_override": ("{{ block \"blk2\" . }}default{{ end }}\n", V, {"templates/_o.tpl": "{{ define \"blk2\" }}overridden{{ end }}"}),
 "tpl_basic": ("{{ tpl .Values.t . }}\n{{ tpl \"{{ .Values.name }}-{{ .Release.Name }}\" . }}\n{{ tpl \"{{ define \\\"inner\\\" }}I{{ end }}{{ include \\\"inner\\\" . }}\" . }}\n", {"t": "{{ .Values.name | upper }}", "name": "web"}),
 "pipelines": ("{{ .Values.name | upper | quote }} {{ \"x\" | printf \"%s-%s\" \"a\" }} {{ (.Values.name) }} {{ (list 1 2) | len }}\n", V),
 "paren_chains": ("{{ (dict \"a\" (dict \"b\" 5)).a.b }} {{ (index .Values.nested \"a\").b.c }}\n", V),
 # --- builtins
 "and_or_not": ("{{ and 1 0 }} {{ and 1 2 }} {{ or 0 \"\" }} {{ or 0 \"x\" }} {{ not 0 }} {{ not .Values.name }} {{ and .Values.enabled .Values.name }} {{ or .Values.nope \"dflt\" }}\n", V),
 "compare": ("{{ eq 1 1 }} {{ eq \"a\" \"b\" \"a\" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt 3 2 }} {{ ge 1 2 }} {{ eq .Values.replicas 3.0 }} {{ lt \"a\" \"b\" }} {{ eq .Values.nope nil }} {{ eq (int64 3) 3 }}\n", V),
 "len_index_slice": ("{{ len .Values.list }} {{ len .Values.map }} {{ len \"héllo\" }} {{ index .Values.list 1 }} {{ index .Values.map \"a\" }} {{ index .Values.nested \"a\" \"b\" \"c\" }} {{ index \"abc\" 1 }} {{ index .Values.map \"nope\" }}\n", V),
 "print_funcs": ("{{ print 1 2 }} {{ print \"a\" \"b\" }} {{ print 1 \"a\" 2 }} {{ println \"x\" 1 }}{{ print nil }} {{ print .Values.nope }} {{ print .Values.map }}\n", V),
 "printf_verbs": ("{{ printf \"%d|%5d|%-5d|%05d|%x|%X|%o|%b|%c|%q|%U\" 42 42 42 42 255 255 8 5 65 65 65 }}\n{{ printf \"%s|%10s|%-10s|%q|%x|%.2s|%v\" \"hi\" \"hi\" \"hi\" \"hi\" \"hi\" \"hello\" \"v\" }}\n{{ printf \"%f|%.2f|%8.3f|%e|%g|%G|%v|%v\" 3.14159 3.14159 3.14159 1234.5678 0.000012 1e21 2.5 1e6 }}\n{{ printf \"%t|%v|%T|%T|%T|%%\" true false 1 .Values.f .Values.list }}\n{{ printf \"%d %s\" .Values.replicas .Values.replicas }}\n{{ printf \"%s\" }} {{ printf \"%d\" 1 2 }} {{ printf \"%v %v\" .Values.list .Values.map }}\n{{ printf \"%+d % d %+.1f\" 5 5 2.25 }}\n", V),
 "html_js_urlquery": ("{{ html \"<a href='x'>&</a>\" }} {{ js \"it's <b> \\\"q\\\" =\" }} {{ urlquery \"a b&c=d/é\" }}\n", None),
 # --- sprig strings
 "sprig_strings_case": ("{{ upper \"abc\" }} {{ lower \"ABC\" }} {{ title \"hello wide world\" }} {{ untitle \"Hello World\" }} {{ swapcase \"Hello World\" }} {{ initials \"Hello Wide World\" }}\n", None),
 "sprig_strings_case2": ("{{ snakecase \"FirstName\" }} {{ snakecase \"HTTPServer\" }} {{ camelcase \"http_server\" }} {{ kebabcase \"FirstName\" }} {{ camelcase \"foo_bar_baz\" }} {{ snakecase \"fooBar\" }}\n", None),
 "sprig_trim": ("[{{ trim \"  x y  \" }}] [{{ trimAll \"$\" \"$$5.00$\" }}] [{{ trimPrefix \"foo\" \"foobar\" }}] [{{ trimSuffix \"bar\" \"foobar\" }}] [{{ nospace \"a b\\tc\\nd\" }}]\n", None),
 "sprig_substr_trunc": ("{{ substr 0 3 \"hello\" }} {{ substr 1 100 \"hello\" }} {{ substr -1 2 \"hello\" }} {{ trunc 3 \"hello\" }} {{ trunc -2 \"hello\" }} {{ trunc 10 \"hi\" }} {{ abbrev 5 \"hello world\" }} {{ abbrev 20 \"short\" }}\n", None),
 "sprig_contains_prefix": ("{{ contains \"ll\" \"hello\" }} {{ contains \"z\" \"hello\" }} {{ hasPrefix \"he\" \"hello\" }} {{ hasSuffix \"lo\" \"hello\" }} {{ hasPrefix \"x\" \"hello\" }}\n", None),
 "sprig_quote": ("{{ quote \"a\" }} {{ quote .Values.dq }} {{ squote .Values.sq }} {{ quote 1 2 }} {{ quote .Values.nope }}|{{ quote .Values.f }} {{ squote true }} {{ cat \"a\" 1 .Values.nope \"b\" }}\n", V),
 "sprig_indent": ("x:{{ \"a\\nb\" | indent 4 }}\ny:{{ \"a\\nb\" | nindent 2 }}\nz:{{ .Values.multi | nindent 2 }}\n", V),
 "sprig_replace_repeat": ("{{ replace \" \" \"-\" \"a b c\" }} {{ repeat 3 \"ab\" }} {{ plural \"one\" \"many\" 1 }} {{ plural \"one\" \"many\" 2 }} {{ \"x\" | replace \"x\" \"y\" }}\n", None),
 "sprig_split_join": ("{{ $p := split \".\" \"a.b.c\" }}{{ $p._0 }}{{ $p._2 }} {{ splitList \",\" \"a,b,,c\" }} {{ join \"-\" (list \"a\" 1 true) }} {{ join \",\" .Values.list }} {{ splitn \".\" 2 \"a.b.c\" }} {{ sortAlpha (list \"b\" \"a\" \"C\") }} {{ toStrings (list 1 \"a\" 2.5) }}\n", V),
 "sprig_wrap": ("{{ wrap 10 \"the quick brown fox jumps over the lazy dog\" }}\n{{ wrapWith 5 \"\\t\" \"Hello World\" }}\n", None),
 "sprig_regex": ("{{ regexMatch \"^[a-z]+$\" \"abc\" }} {{ regexMatch \"^[a-z]+$\" \"ab1\" }} {{ regexFind \"[0-9]+\" \"ab12cd34\" }} {{ regexFindAll \"[0-9]+\" \"a1b22c333\" -1 }} {{ regexFindAll \"[0-9]+\" \"a1b22c333\" 2 }} {{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }} {{ regexReplaceAllLiteral \"a(x*)b\" \"-ab-axxb-\" \"${1}\" }} {{ regexSplit \"z+\" \"pizza\" -1 }} {{ regexReplaceAll \"(?P<first>\\\\w+) (?P<last>\\\\w+)\" \"John Smith\" \"$last, $first\" }}\n", None),
 # --- lists
 "sprig_lists": ("{{ list 1 \"a\" 2.5 }} {{ first .Values.list }} {{ last .Values.list }} {{ rest .Values.list }} {{ initial .Values.list }} {{ append .Values.list \"d\" }} {{ prepend .Values.list \"z\" }} {{ concat .Values.list (list 1 2) }} {{ reverse .Values.list }}\n", V),
 "sprig_lists2": ("{{ uniq (list 1 2 1 3 2) }} {{ without (list 1 2 3 2) 2 }} {{ has \"b\" .Values.list }} {{ has \"q\" .Values.list }} {{ compact (list 1 \"\" 0 \"a\" nil false) }} {{ slice .Values.list 1 }} {{ slice .Values.list 0 2 }} {{ chunk 2 (list 1 2 3 4 5) }} {{ first .Values.emptyList }}\n", V),
 "sprig_until_seq": ("{{ until 5 }} {{ untilStep 0 10 3 }} {{ seq 5 }} {{ seq 2 5 }} {{ seq 0 2 10 }} {{ seq 5 2 }}\n", None),
 # --- dicts
 "sprig_dicts": ("{{ $d := dict \"b\" 2 \"a\" 1 }}{{ $d }} {{ get $d \"a\" }} [{{ get $d \"zz\" }}] {{ hasKey $d \"b\" }} {{ $_ := set $d \"c\" 3 }}{{ $d }} {{ $_ := unset $d \"a\" }}{{ $d }} {{ keys $d | sortAlpha }} {{ values (dict \"x\" 1) }} {{ dict \"odd\" }}\n", None),
 "sprig_dicts2": ("{{ pick .Values.labels \"app\" }} {{ omit .Values.labels \"app\" }} {{ pluck \"a\" (dict \"a\" 1) (dict \"b\" 2) (dict \"a\" 3) }} {{ dig \"a\" \"b\" \"c\" \"dflt\" .Values.nested }} {{ dig \"a\" \"x\" \"dflt\" .Values.nested }}\n", V),
 "sprig_merge": ("{{ $a := dict \"x\" 1 \"n\" (dict \"p\" 1) }}{{ $b := dict \"x\" 2 \"y\" 3 \"n\" (dict \"p\" 2 \"q\" 3) }}{{ merge $a $b }} {{ $c := dict \"x\" 1 \"n\" (dict \"p\" 1) }}{{ mergeOverwrite $c $b }} {{ $a }}\n", None),
 "sprig_set_shared": ("{{ $m := .Values.labels }}{{ $_ := set $m \"added\" \"yes\" }}{{ .Values.labels }} {{ $cp := deepCopy .Values.map }}{{ $_ := set $cp \"new\" 1 }}{{ .Values.map }} {{ $cp }}\n", V),
 # --- defaults
 "sprig_defaults": ("{{ default \"d\" .Values.nope }} {{ default \"d\" .Values.empty }} {{ default \"d\" .Values.name }} {{ default 5 .Values.zero }} {{ .Values.nope | default \"piped\" }} {{ empty .Values.empty }} {{ empty .Values.name }} {{ coalesce .Values.nope .Values.empty \"third\" }} {{ ternary \"yes\" \"no\" true }} {{ ternary \"yes\" \"no\" false }} {{ all 1 \"a\" }} {{ any 0 \"\" }}\n", V),
 # --- types
 "sprig_types": ("{{ typeOf 1 }} {{ typeOf .Values.replicas }} {{ typeOf .Values.name }} {{ typeOf .Values.list }} {{ typeOf .Values.map }} {{ typeOf .Values.nope }} {{ kindOf .Values.map }} {{ kindOf .Values.list }} {{ kindOf 1 }} {{ kindIs \"string\" \"x\" }} {{ typeIs \"float64\" .Values.f }} {{ typeOf (add 1 2) }} {{ typeOf (list) }} {{ kindOf .Values.nope }} {{ deepEqual (list 1 2) (list 1 2) }}\n", V),
 "sprig_conversions": ("{{ atoi \"42\" }} {{ atoi \"x\" }} {{ int \"7\" }} {{ int 3.9 }} {{ int64 \"0x10\" }} {{ float64 \"1.5\" }} {{ toString 3 }} {{ toString .Values.f }} {{ int .Values.replicas }} {{ toDecimal \"0777\" }} {{ typeOf (atoi \"1\") }} {{ typeOf (int64 1) }}\n", V),
 # --- math
 "sprig_math": ("{{ add 1 2 3 }} {{ add1 5 }} {{ sub 10 3 }} {{ mul 2 3 4 }} {{ div 10 3 }} {{ mod 10 3 }} {{ max 1 5 3 }} {{ min 4 2 8 }} {{ add .Values.replicas 1 }} {{ add \"3\" 2 }} {{ floor 1.7 }} {{ ceil 1.2 }} {{ round 1.2345 2 }} {{ round 2.5 0 }}\n", V),
 "sprig_mathf": ("{{ addf 1.5 2 }} {{ add1f 1.5 }} {{ subf 5 1.5 }} {{ mulf 1.5 2 }} {{ divf 10 4 }} {{ maxf 1 2.5 }} {{ minf 1 2.5 }} {{ div .Values.big 3 }} {{ mul .Values.big 1000 }}\n", V),
 # --- encoding
 "sprig_encoding": ("{{ b64enc \"hello\" }} {{ b64dec \"aGVsbG8=\" }} {{ b32enc \"hello\" }} {{ b32dec \"NBSWY3DP\" }} {{ sha1sum \"hello\" }} {{ sha256sum \"hello\" }} {{ adler32sum \"hello\" }} {{ b64enc \"\" }} {{ b64enc \"ab\" }}\n", None),
 "sprig_json": ("{{ toJson .Values.map }} {{ toJson .Values.html }} {{ toRawJson .Values.html }} {{ toJson .Values.f }} {{ toJson .Values.big }} {{ toJson .Values.nope }} {{ toJson (list 1 \"a\" nil true) }}\n{{ toPrettyJson .Values.resources }}\n{{ (fromJson \"{\\\"a\\\": [1, 2.5, \\\"x\\\"]}\").a }} {{ typeOf (index (fromJson \"{\\\"a\\\": 1}\") \"a\") }} {{ fromJsonArray \"[1,2]\" }}\n", V),
 "sprig_semver": ("{{ semverCompare \">=1.2.0\" \"1.3.0\" }} {{ semverCompare \"<1.2.0\" \"1.3.0\" }} {{ semverCompare \"~1.2.0\" \"1.2.9\" }} {{ semverCompare \"^1.2.0\" \"1.9.0\" }} {{ semverCompare \"^1.2.0\" \"2.0.0\" }} {{ semverCompare \">=1.19\" \"1.27.3-gke.100\" }} {{ semverCompare \">=1.19-0\" \"1.27.3-gke.100\" }} {{ semverCompare \"1.2.x\" \"1.2.7\" }} {{ semverCompare \">1.0, <2.0\" \"1.5.0\" }} {{ semverCompare \"<1.0 || >=3.0\" \"3.1.0\" }} {{ semverCompare \"1.2 - 1.4\" \"1.3.5\" }} {{ (semver \"1.2.3-beta+m\").Major }} {{ (semver \"v2.5.1\").Minor }}\n", None),
 "sprig_url": ("{{ $u := urlParse \"https://user:pw@example.com:8080/a/b?x=1#frag\" }}{{ $u.scheme }} {{ $u.host }} {{ $u.hostname }} {{ $u.path }} {{ $u.query }} {{ $u.fragment }} {{ $u.userinfo }} {{ urlJoin (dict \"scheme\" \"http\" \"host\" \"h:1\" \"path\" \"/p\" \"query\" \"q=1\") }}\n", None),
 # --- helm
 "helm_required_ok": ("{{ required \"need name\" .Values.name }}\n", V),
 "helm_required_fail": ("{{ required \"need nope\" .Values.nope }}\n", V),
 "helm_fail": ("{{ fail \"stop here\" }}\n", None),
 "include_in_pipeline": ("{{- include \"c.lbl\" . | trim | upper }}\n", V, {"templates/_h.tpl": "{{ define \"c.lbl\" }}  lbl-{{ .Values.name }}  {{ end }}"}),
 "include_dict_context": ("{{ include \"c.x\" (dict \"root\" $ \"item\" \"one\") }}\n", V, {"templates/_h.tpl": "{{ define \"c.x\" }}{{ .item }}@{{ .root.Values.name }}{{ end }}"}),
 "include_recursive_bounded": ("{{ include \"c.count\" 3 }}\n", None, {"templates/_h.tpl": "{{- define \"c.count\" -}}{{ . }}{{ if gt . 0 }},{{ include \"c.count\" (sub . 1) }}{{ end }}{{- end -}}"}),
 # --- deployment-like
 "deployment_like": ("""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "c.fullname" . }}
  labels:
    {{- include "c.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      {{- toJson .Values.labels | nindent 6 }}
  template:
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          ports:
            - containerPort: {{ .Values.port }}
          {{- with .Values.annotations }}
          annotations: {{ . }}
          {{- end }}
          {{- if .Values.enabled }}
          env:
            {{- range $k, $v := .Values.labels }}
            - name: {{ $k | upper }}
              value: {{ $v | quote }}
            {{- end }}
          {{- end }}
""", V, {"templates/_helpers.tpl": """{{/*
Expand the name of the chart.
*/}}
{{- define "c.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "c.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}
{{- define "c.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "c.labels" -}}
helm.sh/chart: {{ include "c.chart" . }}
app.kubernetes.io/name: {{ include "c.name" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
"""}),
 # --- errors (Helm fails)
 "err_nil_pointer": ("{{ .Values.nope.x }}\n", V),
 "err_parse": ("{{ if }}\n", None),
 "err_undefined_fn": ("{{ nope 1 }}\n", None),
 "err_range_float": ("{{ range .Values.replicas }}x{{ end }}\n", V),
 "err_compare_types": ("{{ eq .Values.replicas 3 }}\n", V),
 "err_wrong_type": ("{{ trunc .Values.replicas \"abc\" }}\n", V),
 "err_cyclic_include": ("{{ include \"loop\" . }}\n", None, {"templates/_l.tpl": "{{ define \"loop\" }}{{ include \"loop\" . }}{{ end }}"}),
 "err_missing_template": ("{{ template \"nope\" }}\n", None),
 "err_index_range": ("{{ index .Values.list 10 }}\n", V),
 "err_unclosed": ("{{ .Values.name \n", V),
 "err_div_zero": ("{{ div 1 0 }}\n", None),
}
for name, spec in cases.items():
    tpl, vals = spec[0], spec[1]
    files = spec[2] if len(spec) > 2 else {}
    parts = []
    if vals is not None:
        parts.append('#### values\n' + json.dumps(vals, indent=1))
    parts.append('#### template\n' + tpl)
    for p, body in files.items():
        parts.append('#### file ' + p + '\n' + body)
    parts.append('#### expected\n')
    open(os.path.join(D, name + '.case'), 'w').write('\n'.join(parts))
print(len(cases))
more = {
 "ws_else_trim": ("{{- if .Values.enabled -}}\n  yes\n{{- else -}}\n  no\n{{- end -}}\n|\n{{ range .Values.list -}}\n  {{ . }}\n{{ end -}}\nend\n", V),
 "ws_trim_newlines": ("a\n\n{{- \"b\" }}\n\n{{ \"c\" -}}\n\n  d\n{{- /* c */}}\ne\n", None),
 "nested_range_dollar": ("{{ range $k, $v := .Values.labels }}{{ range $.Values.list }}{{ $k }}{{ . }}{{ $v }} {{ end }}{{ end }}\n", V),
 "with_rebinding": ("{{ with .Values.nested }}{{ with .a }}{{ with .b }}{{ .c }}-{{ $.Values.name }}{{ end }}{{ end }}{{ end }}\n", V),
 "template_with_pipe": ("{{ define \"t1\" }}[{{ . }}]{{ end }}{{ template \"t1\" .Values.name }}{{ template \"t1\" }}{{ template \"t1\" 1 | add 2 }}\n", V),
 "and_or_short_circuit": ("{{ and false (fail \"no\") }} {{ or true (fail \"no\") }} {{ if and .Values.nope .Values.nope.x }}x{{ else }}safe{{ end }}\n", V),
 "dollar_in_define": ("{{ define \"d1\" }}{{ $.a }}/{{ .a }}{{ end }}{{ include \"d1\" (dict \"a\" 1) }}\n", None),
 "var_redeclare_shadow": ("{{ $x := 1 }}{{ range list 1 2 }}{{ $x := . }}{{ $x }}{{ end }}{{ $x }}\n", None),
 "print_nested_nil": ("{{ list nil 1 }} {{ dict \"a\" nil }} {{ print (list \"a\" (list 1 2)) }}\n", None),
 "float_formats": ("{{ 0.1 }} {{ 100000.0 }} {{ 1000000.0 }} {{ 0.0001 }} {{ 0.00001 }} {{ 123456.7 }} {{ -0.5 }} {{ .Values.f }} {{ mulf 0.1 3 }} {{ divf 1 3 }}\n", V),
 "yaml_like_output": ("metadata:\n  labels:\n{{- range $k, $v := .Values.labels }}\n    {{ $k }}: {{ $v | quote }}\n{{- end }}\n  annotations: {{ toJson .Values.annotations }}\n", V),
 "comment_trim_both": ("a {{- /* x */ -}} b\n", None),
 "raw_string_multiline": ("{{ `line1\nline2` }}|{{ len `a\\n` }}\n", None),
 "char_escapes": ("{{ '\\n' }} {{ '\\x41' }} {{ 'é' }} {{ \"\\u00e9\\x41\\101\" }}\n", None),
 "printf_width_star": ("{{ printf \"%*d|%-*d|%.*f\" 5 42 4 7 2 3.14159 }}\n", None),
 "index_nested_lists": ("{{ index (list (list 1 2) (list 3 4)) 1 0 }} {{ index .Values.map \"m\" 1 }}\n", V),
 "slice_builtin_strings": ("{{ slice .Values.list 1 2 }} {{ slice .Values.list }}\n", V),
 "eq_mixed_nil": ("{{ eq .Values.nope \"\" }} {{ eq nil nil }} {{ ne .Values.name \"web\" }}\n", V),
 "quote_non_strings": ("{{ quote 1.5 }} {{ quote true }} {{ quote .Values.list }} {{ quote .Values.map }}\n", V),
 "default_chain": ("{{ .Values.nope | default .Values.nope2 | default \"last\" }} {{ default (list 1) .Values.emptyList }} {{ default (dict \"a\" 1) .Values.annotations }}\n", V),
 "int_conversions_values": ("{{ int .Values.f }} {{ int64 .Values.big }} {{ toString (int .Values.big) }} {{ printf \"%d\" (int .Values.replicas) }} {{ add .Values.f .Values.f }}\n", V),
 "err_parse_unexpected_end": ("{{ end }}\n", None),
 "err_parse_else": ("{{ else }}\n", None),
 "err_undefined_var": ("{{ $nope }}\n", None),
 "err_bad_number": ("{{ 3x }}\n", None),
 "err_unterminated_string": ("{{ \"abc }}\n", None),
 "err_field_on_string": ("{{ .Values.name.x }}\n", V),
 "err_wrong_arg_count": ("{{ include \"x\" }}\n", None),
 "err_nil_fn_arg": ("{{ .Values.nope | upper }}\n", V),
 "err_literal_type": ("{{ upper 3 }}\n", None),
 "err_break_outside": ("{{ break }}\n", None),
 "err_nested_include": ("l1\n{{ include \"x\" . }}\n", V, {"templates/_h.tpl": "{{ define \"x\" }}\n{{ include \"y\" . }}{{ end }}{{ define \"y\" }}{{ .Values.zz.q }}{{ end }}"}),
 "err_include_missing": ("{{ include \"nope\" . }}\n", None),
 "err_fail_in_include": ("{{ include \"x\" . }}\n", None, {"templates/_h.tpl": "{{ define \"x\" }}{{ fail \"inner boom\" }}{{ end }}"}),
 "err_tpl_exec": ("{{ tpl \"{{ .Values.zz.q }}\" . }}\n", None),
 "err_tpl_parse": ("{{ tpl \"{{ if }}\" . }}\n", None),
 "err_non_executable": ("{{ 1 | 2 }}\n", None),
 "err_multiline_action": ("{{ .Values.name\n |\n nope }}\n", V),
 "err_unexpected_rparen": ("{{ ) }}\n", None),
 "err_call_arg_nonfunc": ("{{ .Values.name 1 }}\n", V),
}
for name, spec in more.items():
    tpl, vals = spec[0], spec[1]
    files = spec[2] if len(spec) > 2 else {}
    parts = []
    if vals is not None:
        parts.append('#### values\n' + json.dumps(vals, indent=1))
    parts.append('#### template\n' + tpl)
    for p, body in files.items():
        parts.append('#### file ' + p + '\n' + body)
    parts.append('#### expected\n')
    open(os.path.join(D, name + '.case'), 'w').write('\n'.join(parts))
print(len(more))
more2 = {
 "sprig_mathf_decimal": ("{{ mulf 0.1 3 }} {{ addf 0.1 0.2 }} {{ subf 0.3 0.1 }} {{ divf 2 3 }} {{ divf 1 3 }} {{ mulf 1.1 1.1 }} {{ add1f 0.1 }} {{ divf 10 4 2 }} {{ mulf 123456789 1000 }}\n", None),
}
for name, spec in more2.items():
    parts = ['#### template\n' + spec[0], '#### expected\n']
    open(os.path.join(D, name + '.case'), 'w').write('\n'.join(parts))
more3 = {
 "sprig_dates": ("{{ date \"2006-01-02 15:04:05 Mon Monday Jan January 2 _2 3PM 03pm 06 002 Z07:00 -0700 MST .000 .999\" 1700000000 }}\n{{ htmlDate 1700000000 }} {{ duration 3661 }} {{ duration \"3661\" }} {{ duration (int64 59) }} {{ duration \"90061\" }} {{ date \"2006-01-02\" 951782400 }} {{ date \"Jan 2, 2006\" -86400 }} {{ len (unixEpoch now) }} {{ typeOf now }}\n", None),
}
for name, spec in more3.items():
    parts = ['#### template\n' + spec[0], '#### expected\n']
    open(os.path.join(D, name + '.case'), 'w').write('\n'.join(parts))
more4 = {
 "sprig_paths": ("{{ base \"a/b/c.txt\" }} {{ base \"/\" }} {{ base \"\" }} {{ base \"a/b/\" }} {{ dir \"a/b/c\" }} {{ dir \"c\" }} {{ dir \"/a\" }} {{ clean \"a//b/../c/./d/\" }} {{ clean \"../../x\" }} {{ clean \"/../x\" }} {{ ext \"a/b.tar.gz\" }} {{ ext \"a.b/c\" }} {{ isAbs \"/x\" }} {{ isAbs \"x\" }} {{ tuple 1 \"a\" }} {{ hello }}\n", None),
 "sprig_abbrevboth": ("{{ abbrevboth 5 10 \"1234 5678 9123\" }} {{ abbrevboth 0 10 \"abcdefghijklmno\" }} {{ abbrevboth 10 10 \"abcdefghijklmno\" }} {{ abbrevboth 1 20 \"short\" }}\n", None),
}
for name, spec in more4.items():
    parts = ['#### template\n' + spec[0], '#### expected\n']
    open(os.path.join(D, name + '.case'), 'w').write('\n'.join(parts))
more5 = {
 "func_as_arg": ("{{ .Values.nope | default dict }} {{ default list .Values.nope }} {{ typeOf (default dict .Values.nope) }} {{ len now | typeOf }}\n", V),
 "with_if_decl": ("{{ with $x := .Values.name }}{{ $x }}{{ end }} {{ if $y := .Values.image.tag }}{{ $y }}{{ end }} {{ $root := . }}{{ range .Values.list }}{{ $root.Values.name }}{{ end }}\n", V),
 "number_quirks": ("{{ toString .Values.big }} {{ quote .Values.big }} {{ .Values.big | int }} {{ add .Values.replicas 1 }} {{ .Release.Revision | add 1 }} {{ typeOf .Release.Revision }} {{ .Values.f | toString }} {{ printf \"%v\" .Values.big }} {{ toJson .Values.big }} {{ .Values.enabled | toString }}\n", V),
 "keys_values_dollar": ("{{ keys .Values.labels | sortAlpha | join \",\" }} {{ keys .Values | sortAlpha | len }} {{ hasKey .Values \"name\" }} {{ get .Values \"name\" }}\n", V),
 "list_field_error_shape": ("{{ range .Values.list }}{{ . | upper }}{{ end }} {{ range $i, $_ := .Values.list }}{{ if $i }}, {{ end }}{{ $i }}{{ end }}\n", V),
 "printf_lists": ("{{ printf \"%s\" .Values.list }} {{ printf \"%q\" .Values.list }} {{ printf \"%v\" .Values.nested }} {{ printf \"%d\" (list 1 2) }} {{ printf \"%5.1f|%-8v|%08.3f\" 3.14159 \"ab\" -3.5 }}\n", V),
 "toString_types": ("{{ toString nil }} {{ toString (list 1 2) }} {{ toString .Values.map }} {{ toString true }} {{ toString 1.0 }} {{ toString (int64 5) }}\n", V),
 "empty_various": ("{{ empty 0 }} {{ empty 0.0 }} {{ empty (list) }} {{ empty (dict) }} {{ empty false }} {{ empty nil }} {{ empty \" \" }} {{ empty .Values.map }} {{ empty now }}\n", V),
 "merge_nested_values": ("{{ $d := merge (dict \"image\" (dict \"tag\" \"x\")) .Values }}{{ $d.image.tag }} {{ $d.image.repository }} {{ .Values.image.tag }}\n", V),
 "set_on_values": ("{{ $_ := set .Values \"added\" 1 }}{{ .Values.added }} {{ $_ := set .Values.image \"tag\" \"2.0\" }}{{ .Values.image.tag }}\n", V),
 "ternary_bool_values": ("{{ ternary \"a\" \"b\" .Values.enabled }} {{ ternary 1 2 (eq .Values.name \"web\") }}\n", V),
 "regex_special": ("{{ regexReplaceAll \"[^a-z0-9-]\" \"My_App.Name\" \"-\" | lower }} {{ regexMatch \"(?i)^WEB$\" .Values.name }} {{ regexFind \"v([0-9]+)\\\\.([0-9]+)\" .Values.kv }} {{ regexReplaceAll \"^v?([0-9]+)\\\\.([0-9]+).*$\" .Values.kv \"$1.$2\" }} {{ regexSplit \"[,;]\" \"a,b;c\" -1 }} {{ regexFindAll \"[a-z]\" \"a1b2\" 0 }}\n", V),
 "nested_tpl_include": ("{{ tpl (include \"c.t\" .) . }}\n", {"name": "web", "tmpl": "{{ .Values.name }}!"}, {"templates/_h.tpl": "{{ define \"c.t\" }}{{ .Values.tmpl }}{{ end }}"}),
 "eq_list_elements": ("{{ eq (index .Values.list 0) \"a\" }} {{ has 3.0 .Values.nums }} {{ has 3 .Values.nums }} {{ has \"a\" (list \"a\") }}\n", V),
}
for name, spec in more5.items():
    tpl, vals = spec[0], spec[1]
    files = spec[2] if len(spec) > 2 else {}
    parts = []
    if vals is not None:
        parts.append('#### values\n' + json.dumps(vals, indent=1))
    parts.append('#### template\n' + tpl)
    for p, body in files.items():
        parts.append('#### file ' + p + '\n' + body)
    parts.append('#### expected\n')
    open(os.path.join(D, name + '.case'), 'w').write('\n'.join(parts))
more6 = {
 "yaml_toYaml": ("{{ toYaml .Values.resources }}\n---\n{{ toYaml .Values.labels | nindent 4 }}\n---\n{{ toYaml .Values.list }}\n{{ toYaml .Values.nope }}|{{ toYaml .Values.name }}|{{ toYaml .Values.f }}|{{ toYaml .Values.big }}|{{ toYaml .Values.annotations }}|{{ toYaml .Values.emptyList }}|{{ toYaml .Values.enabled }}\n{{ toYaml .Values.map }}\n", V),
 "yaml_toYaml_strings": ("{{ toYaml .Values }}\n", {"s1": "true", "s2": "123", "s3": "", "s4": "a: b", "s5": "- x", "s6": "line1\nline2", "s7": "line1\nline2\n", "s8": " lead", "s9": "null", "s10": "~", "s11": "yes", "s12": "1.5", "s13": "0x1F", "s14": "#c", "s15": "it's", "s16": "say \"hi\"", "s17": "*star", "s18": "{a}", "s19": "2001-12-14", "s20": "y", "s21": "on", "s22": "a very long string that goes on and on and on well past the eighty column limit of the emitter ok", "s23": "tab\there", "s24": "é ünïcode", "s25": "@at", "s26": "%p", "s27": ":colon", "s28": "trailing ", "s29": "1e3", "s30": ".5"}),
 "yaml_toYaml_nested": ("{{ toYaml (dict \"a\" (list (dict \"x\" 1 \"y\" (list 1 2)) (list 3 (dict)))) }}\n{{ toYaml (list (list 1 2) (list)) }}\n{{ toYaml (dict \"k\" nil \"f\" 2.5 \"n\" -3 \"b\" false) }}\n", None),
 "yaml_fromYaml": ("{{ $m := fromYaml \"a: 1\\nb: [x, y]\\nc: {d: true}\\ne: 1.5\\nf: yes\\ng: null\" }}{{ $m.a }} {{ typeOf $m.a }} {{ $m.b }} {{ $m.c.d }} {{ $m.e }} {{ $m.f }} {{ $m.g }} {{ toYaml $m | nindent 2 }}\n{{ (fromYaml \"- a\").Error }}\n{{ fromYamlArray \"- 1\\n- two\" }} {{ fromYaml \"\" }}\n", None),
 "yaml_roundtrip_include": ("{{- $cfg := include \"c.cfg\" . | fromYaml }}\nname: {{ $cfg.name }}\n{{ toYaml $cfg }}\n", V, {"templates/_h.tpl": "{{ define \"c.cfg\" }}\nname: {{ .Values.name }}\nport: {{ .Values.port }}\ntags:\n  - a\n  - b\n{{ end }}"}),
}
for name, spec in more6.items():
    tpl, vals = spec[0], spec[1]
    files = spec[2] if len(spec) > 2 else {}
    parts = []
    if vals is not None:
        parts.append('#### values\n' + json.dumps(vals, indent=1))
    parts.append('#### template\n' + tpl)
    for p, body in files.items():
        parts.append('#### file ' + p + '\n' + body)
    parts.append('#### expected\n')
    open(os.path.join(D, name + '.case'), 'w').write('\n'.join(parts))
more7 = {
 "sprig_sha512_misc": ("{{ sha512sum \"hello\" }} {{ sha512sum \"\" }} {{ sha512sum (repeat 200 \"x\") }} {{ randBytes 6 | len }} {{ getHostByName \"localhost\" }}|{{ tpl \"x{{ . }}\" \"str\" }}|{{ tpl \"{{ .a }}\" (dict \"a\" 1) }}\n", None),
}
for name, spec in more7.items():
    parts = ['#### template\n' + spec[0], '#### expected\n']
    open(os.path.join(D, name + '.case'), 'w').write('\n'.join(parts))
more8 = {
 "toml_encode": ("{{ toToml .Values }}|{{ toToml (dict \"a\" 1 \"s\" (list 1 2)) }}|{{ toToml \"str\" }}|{{ toToml (list 1) }}|{{ toToml (dict \"weird key\" \"v\" \"n\" (dict \"x y\" (dict \"z\" 1))) }}\n", {"a":1,"s":"x\"y\\\n\t","b":True,"f":1.5,"l":[1,"a"],"m":{"x":1,"n":{"y":"z"}},"e":{},"t":[{"k":1},{"k":2}],"z":None,"big":1e21,"neg":-0.5}),
}
for name, spec in more8.items():
    tpl, vals = spec[0], spec[1]
    parts = ['#### values\n' + json.dumps(vals, indent=1), '#### template\n' + tpl, '#### expected\n']
    open(os.path.join(D, name + '.case'), 'w').write('\n'.join(parts))
BH = """{{- define "common.tplvalues.render" -}}
{{- $value := typeIs "string" .value | ternary .value (.value | toYaml) }}
{{- if contains "{{" (toJson .value) }}
  {{- if .scope }}
      {{- tpl (cat "{{- with $.RelativeScope -}}" $value "{{- end }}") (merge (dict "RelativeScope" .scope) .context) }}
  {{- else }}
    {{- tpl $value .context }}
  {{- end }}
{{- else }}
    {{- $value }}
{{- end }}
{{- end -}}
{{- define "common.images.image" -}}
{{- $registryName := default .imageRoot.registry ((.global).imageRegistry) -}}
{{- $repositoryName := .imageRoot.repository -}}
{{- $separator := ":" -}}
{{- $termination := .imageRoot.tag | toString -}}
{{- if .imageRoot.digest }}
    {{- $separator = "@" -}}
    {{- $termination = .imageRoot.digest | toString -}}
{{- end -}}
{{- if $registryName }}
    {{- printf "%s/%s%s%s" $registryName $repositoryName $separator $termination -}}
{{- else -}}
    {{- printf "%s%s%s"  $repositoryName $separator $termination -}}
{{- end -}}
{{- end -}}
{{- define "common.labels.standard" -}}
{{- if and (hasKey . "customLabels") (hasKey . "context") -}}
{{- $default := dict "app.kubernetes.io/name" (include "common.names.name" .context) "helm.sh/chart" (include "common.names.chart" .context) "app.kubernetes.io/instance" .context.Release.Name "app.kubernetes.io/managed-by" .context.Release.Service -}}
{{- with .context.Chart.AppVersion -}}
{{- $_ := set $default "app.kubernetes.io/version" . -}}
{{- end -}}
{{ template "common.tplvalues.merge" (dict "values" (list .customLabels $default) "context" .context) }}
{{- else -}}
app.kubernetes.io/name: {{ include "common.names.name" . }}
helm.sh/chart: {{ include "common.names.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
{{- end -}}
{{- define "common.tplvalues.merge" -}}
{{- $dst := dict -}}
{{- range .values -}}
{{- $dst = include "common.tplvalues.render" (dict "value" . "context" $.context "scope" $.scope) | fromYaml | merge $dst -}}
{{- end -}}
{{ $dst | toYaml }}
{{- end -}}
{{- define "common.names.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "common.names.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "common.capabilities.kubeVersion" -}}
{{- default (default .Capabilities.KubeVersion.Version .Values.kubeVersion) ((.Values.global).kubeVersion) -}}
{{- end -}}
{{- define "common.capabilities.deployment.apiVersion" -}}
{{- if semverCompare "<1.14-0" (include "common.capabilities.kubeVersion" .) -}}
{{- print "extensions/v1beta1" -}}
{{- else -}}
{{- print "apps/v1" -}}
{{- end -}}
{{- end -}}
"""
BV = {"image": {"registry": "docker.io", "repository": "bitnami/nginx", "tag": "1.25.3", "digest": ""},
      "commonLabels": {"team": "{{ .Release.Name }}-team", "tier": "web"}, "podLabels": {"extra": "x"},
      "extraEnvVars": [{"name": "A", "value": "{{ .Release.Namespace }}"}], "global": {"imageRegistry": ""},
      "annotations": "key: {{ .Values.image.tag }}", "replicas": 2, "digestImage": {"repository": "r", "tag": "t", "digest": "sha256:abc"}}
more9 = {
 "bitnami_like_helpers": ("""apiVersion: {{ include "common.capabilities.deployment.apiVersion" . }}
kind: Deployment
metadata:
  labels: {{- include "common.labels.standard" (dict "customLabels" .Values.commonLabels "context" $) | nindent 4 }}
  annotations: {{- include "common.tplvalues.render" (dict "value" .Values.annotations "context" $) | nindent 4 }}
spec:
  replicas: {{ .Values.replicas }}
  template:
    metadata:
      labels: {{- include "common.labels.standard" . | nindent 8 }}
    spec:
      containers:
        - image: {{ include "common.images.image" (dict "imageRoot" .Values.image "global" .Values.global) }}
        - image: {{ include "common.images.image" (dict "imageRoot" .Values.digestImage) }}
          env: {{- include "common.tplvalues.render" (dict "value" .Values.extraEnvVars "context" $) | nindent 12 }}
      {{- $podLabels := merge (dict) .Values.podLabels .Values.commonLabels }}
      podLabels: {{- include "common.tplvalues.render" (dict "value" $podLabels "context" $) | nindent 8 }}
""", BV, {"templates/_common.tpl": BH}),
 "nil_safe_parens": ("{{ (.Values.global).imageRegistry }}|{{ ((.Values.nope).deeper).x }}|{{ default \"d\" (.Values.nope).x }}\n", V),
}
for name, spec in more9.items():
    tpl, vals = spec[0], spec[1]
    files = spec[2] if len(spec) > 2 else {}
    parts = []
    if vals is not None:
        parts.append('#### values\n' + json.dumps(vals, indent=1))
    parts.append('#### template\n' + tpl)
    for p, body in files.items():
        parts.append('#### file ' + p + '\n' + body)
    parts.append('#### expected\n')
    open(os.path.join(D, name + '.case'), 'w').write('\n'.join(parts))
more10 = {
 "err_line_after_trim": ("a\n\n{{- /* c\n\n */ -}}\n\n  {{- \"x\" }}\n{{ if }}\n", None),
 "err_exec_line_col": ("line1\n{{- /* multi\nline */}}\n  text {{ \"x\" }} {{ .Values.nope.deeper }}\n", V),
 "err_line_in_define": ("{{ include \"d\" . }}\n", V, {"templates/_d.tpl": "\n\n{{- define \"d\" -}}\n  a\n  {{ .Values.nope.x }}\n{{- end }}"}),
 "method_pipe_final": ("{{ \"apps/v1\" | .Capabilities.APIVersions.Has }} {{ .Capabilities.APIVersions.Has \"v1\" | not }} {{ $c := .Capabilities }}{{ $c.KubeVersion.Minor }}\n", None),
 "negative_and_minus": ("{{-3}} {{ -3 }} {{ 3 -}} x {{- 4}}\n", None),
}
for name, spec in more10.items():
    tpl, vals = spec[0], spec[1]
    files = spec[2] if len(spec) > 2 else {}
    parts = []
    if vals is not None:
        parts.append('#### values\n' + json.dumps(vals, indent=1))
    parts.append('#### template\n' + tpl)
    for p, body in files.items():
        parts.append('#### file ' + p + '\n' + body)
    parts.append('#### expected\n')
    open(os.path.join(D, name + '.case'), 'w').write('\n'.join(parts))
more11 = {
 "semver_more": ("{{ semverCompare \">= 1.21-0\" \"v1.36.0\" }} {{ semverCompare \"~1\" \"1.9.9\" }} {{ semverCompare \"~1\" \"2.0.0\" }} {{ semverCompare \"^0.2.3\" \"0.2.9\" }} {{ semverCompare \"^0.2.3\" \"0.3.0\" }} {{ semverCompare \"^0.0.3\" \"0.0.4\" }} {{ semverCompare \"!=1.2.3\" \"1.2.4\" }} {{ semverCompare \"1.2\" \"1.2.0\" }} {{ semverCompare \"1.2\" \"1.2.5\" }} {{ semverCompare \"*\" \"3.4.5\" }} {{ semverCompare \">1.2.x\" \"1.3.0\" }} {{ semverCompare \">1.2.x\" \"1.2.9\" }} {{ semverCompare \"<=1.2.x\" \"1.2.9\" }} {{ semverCompare \"=1.2.3-beta\" \"1.2.3-beta\" }} {{ semverCompare \">=1.2.3-alpha\" \"1.2.3-beta\" }} {{ semverCompare \"<1.2.3-beta.2\" \"1.2.3-beta.10\" }} {{ semverCompare \"~1.2.x\" \"1.2.7\" }} {{ semverCompare \"1.x\" \"1.5.0\" }} {{ semverCompare \">=1.14-0 <1.22-0\" \"1.21.3-eks\" }}\n", None),
 "semver_errors": ("{{ semverCompare \">=1.2\" \"not-a-version\" }}\n", None),
 "semver_bad_constraint": ("{{ semverCompare \"!!1.2\" \"1.2.3\" }}\n", None),
}
for name, spec in more11.items():
    parts = ['#### template\n' + spec[0], '#### expected\n']
    open(os.path.join(D, name + '.case'), 'w').write('\n'.join(parts))
more12 = {
 "dates_parse": ("{{ toDate \"2006-01-02\" \"2017-12-31\" | date \"02/01/2006 Mon\" }} {{ (toDate \"2006-01-02T15:04:05Z07:00\" \"2023-11-14T22:13:20+02:00\") | unixEpoch }} {{ toDate \"Jan 2 2006 3:04PM\" \"Feb 29 2024 1:05PM\" | date \"2006-01-02 15:04\" }} {{ toDate \"2006-01-02 15:04:05.000\" \"2020-05-06 07:08:09.123\" | date \"15:04:05.000\" }} {{ toDate \"2006\" \"bad\" }} {{ durationRound \"2h5m\" }} {{ durationRound \"49h\" }} {{ durationRound (int64 5000000000) }} {{ durationRound \"800h\" }} {{ durationRound \"9000h\" }}\n", None),
 "dates_parse_error": ("{{ mustToDate \"2006-01-02\" \"2017-13\" }}\n", None),
}
for name, spec in more12.items():
    parts = ['#### template\n' + spec[0], '#### expected\n']
    open(os.path.join(D, name + '.case'), 'w').write('\n'.join(parts))
more13 = {
 "err_include_function_error_raw": ("{{ include \"x\" . }}\n", {"a": {"b": 1}}, {"templates/_h.tpl": "{{ define \"x\" }}{{ index .Values.a 3 }}{{ end }}"}),
 "err_include_nested_wrong_type": ("x\n  {{ include \"x\" . }}\n", {"n": 1}, {"templates/_h.tpl": "{{ define \"x\" }}{{ include \"y\" . }}{{ end }}\n{{ define \"y\" }}\n{{ upper .Values.n }}{{ end }}"}),
 "err_tpl_fail": ("{{ tpl \"{{ fail \\\"in tpl\\\" }}\" . }}\n", None),
 "err_required_nested": ("{{ include \"x\" . }}\n", None, {"templates/_h.tpl": "{{ define \"x\" }}{{ include \"y\" . }}{{ end }}{{ define \"y\" }}{{ required \"deep required\" .Values.nope }}{{ end }}"}),
}
for name, spec in more13.items():
    tpl, vals = spec[0], spec[1]
    files = spec[2] if len(spec) > 2 else {}
    parts = []
    if vals is not None:
        parts.append('#### values\n' + json.dumps(vals, indent=1))
    parts.append('#### template\n' + tpl)
    for p, body in files.items():
        parts.append('#### file ' + p + '\n' + body)
    parts.append('#### expected\n')
    open(os.path.join(D, name + '.case'), 'w').write('\n'.join(parts))
