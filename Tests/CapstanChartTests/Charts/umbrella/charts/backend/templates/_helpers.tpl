{{- define "backend.name" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end -}}
