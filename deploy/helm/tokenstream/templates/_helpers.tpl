{{/* The chart's name, or nameOverride. */}}
{{- define "tokenstream.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: every object is named after it. */}}
{{- define "tokenstream.fullname" -}}
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

{{- define "tokenstream.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tokenstream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "tokenstream.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "tokenstream.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "tokenstream.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tokenstream.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Whether conversations are kept in a PostgreSQL server rather than the embedded database. */}}
{{- define "tokenstream.sharedDatabase" -}}
{{- if or .Values.database.url .Values.database.existingSecret }}true{{- end }}
{{- end }}

{{/* Whether replies, limits and cooldowns are kept in a Redis every replica shares. */}}
{{- define "tokenstream.sharedRedis" -}}
{{- if or .Values.redis.url .Values.redis.existingSecret }}true{{- end }}
{{- end }}

{{/*
Refuses to render what cannot work: several replicas (or an autoscaler) without a shared Redis
and PostgreSQL would each keep their own replies and conversations, and a reply started on one
would not be found on the others.
*/}}
{{- define "tokenstream.validate" -}}
{{- $several := or (gt (int .Values.replicaCount) 1) .Values.autoscaling.enabled }}
{{- if $several }}
{{- $missing := list }}
{{- if not (include "tokenstream.sharedRedis" .) }}{{ $missing = append $missing "redis.url (or redis.existingSecret)" }}{{ end }}
{{- if not (include "tokenstream.sharedDatabase" .) }}{{ $missing = append $missing "database.url (or database.existingSecret)" }}{{ end }}
{{- if $missing }}
{{- fail (printf "\n\ntokenstream: more than one replica (replicaCount=%v, autoscaling.enabled=%v) needs a shared Redis and PostgreSQL; set %s. Each replica would otherwise keep its own replies and conversations, and a reply started on one would not be found on another." .Values.replicaCount .Values.autoscaling.enabled (join " and " $missing)) }}
{{- end }}
{{- end }}
{{- if and .Values.redis.url .Values.redis.existingSecret }}
{{- fail "\n\ntokenstream: set redis.url or redis.existingSecret, not both" }}
{{- end }}
{{- if and .Values.database.url .Values.database.existingSecret }}
{{- fail "\n\ntokenstream: set database.url or database.existingSecret, not both" }}
{{- end }}
{{- if and .Values.ingress.sso.enabled (not .Values.ingress.sso.authUrl) }}
{{- fail "\n\ntokenstream: ingress.sso.enabled needs ingress.sso.authUrl (oauth2-proxy's /oauth2/auth)" }}
{{- end }}
{{- end }}

{{/* The Secret holding the URLs given as values (redis.url, database.url). */}}
{{- define "tokenstream.connectionsSecret" -}}
{{- printf "%s-connections" (include "tokenstream.fullname" .) }}
{{- end }}
