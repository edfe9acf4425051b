{{- define "libcommon.banner" -}}banner-from-library{{- end -}}
