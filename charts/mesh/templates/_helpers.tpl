{{/* Labels every object of the chart carries. */}}
{{- define "mesh.labels" -}}
app.kubernetes.io/part-of: mesh
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* An image reference: mesh.image (list $ .Values.controlPlane.image). */}}
{{- define "mesh.image" -}}
{{- $root := index . 0 -}}
{{- $image := index . 1 -}}
{{- $tag := $root.Values.image.tag | default $root.Chart.AppVersion -}}
{{- if $root.Values.image.registry -}}
{{ printf "%s/%s:%s" (trimSuffix "/" $root.Values.image.registry) $image.repository $tag }}
{{- else -}}
{{ printf "%s:%s" $image.repository $tag }}
{{- end -}}
{{- end }}

{{/* The CA Secret: the user's, or the one the chart creates. */}}
{{- define "mesh.caSecret" -}}
{{- .Values.controlPlane.ca.existingSecret | default "mesh-ca" -}}
{{- end }}

{{/* The control plane's TLS address (CA + discovery) as ztunnel dials it. */}}
{{- define "mesh.controlPlaneAddress" -}}
{{- printf "https://controlplane.%s.svc:15012" .Release.Namespace -}}
{{- end }}

{{/* logLevel -> the .NET log level name (Logging__LogLevel__Default). */}}
{{- define "mesh.dotnetLogLevel" -}}
{{- get (dict "trace" "Trace" "debug" "Debug" "info" "Information" "warning" "Warning" "error" "Error") .Values.logLevel -}}
{{- end }}

{{/* The socket ztunnel listens on for the CNI plugin. */}}
{{- define "mesh.cniSocket" -}}
{{- printf "%s/cni.sock" (trimSuffix "/" .Values.cni.socketDir) -}}
{{- end }}
