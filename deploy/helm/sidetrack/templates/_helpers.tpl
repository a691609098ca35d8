{{/* Names, labels and the pieces every workload of the chart shares. */}}

{{- define "sidetrack.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sidetrack.fullname" -}}
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

{{/* "<fullname>-<component>", e.g. (include "sidetrack.component" (list . "router")). */}}
{{- define "sidetrack.component" -}}
{{- $root := index . 0 }}
{{- printf "%s-%s" (include "sidetrack.fullname" $root) (index . 1) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sidetrack.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "sidetrack.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sidetrack
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of one component's objects: (list . "router"). */}}
{{- define "sidetrack.componentLabels" -}}
{{ include "sidetrack.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/* Selector labels of one component's pods: (list . "router"). */}}
{{- define "sidetrack.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "sidetrack.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "sidetrack.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sidetrack.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* A component's image: (list . .Values.routers); its image.tag, else image.tag, else appVersion. */}}
{{- define "sidetrack.image" -}}
{{- $root := index . 0 }}
{{- $own := (index . 1).image | default dict }}
{{- $tag := default (default $root.Chart.AppVersion $root.Values.image.tag) $own.tag }}
{{- printf "%s:%s" $root.Values.image.repository $tag }}
{{- end }}

{{- define "sidetrack.agentImage" -}}
{{- $repo := default .Values.image.repository .Values.agent.image.repository }}
{{- $tag := default (default .Chart.AppVersion .Values.image.tag) .Values.agent.image.tag }}
{{- printf "%s:%s" $repo $tag }}
{{- end }}

{{/* The pod-level settings every workload of the chart shares: (list . "router" .Values.routers). */}}
{{- define "sidetrack.podSpecCommon" -}}
{{- $root := index . 0 }}
{{- $values := index . 2 }}
serviceAccountName: {{ include "sidetrack.serviceAccountName" $root }}
automountServiceAccountToken: false
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
{{- with $values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Environment every Sidetrack container gets: where it keeps its files, and who it is. */}}
{{- define "sidetrack.commonEnv" -}}
- name: SIDETRACK_HOME
  value: /tmp/sidetrack
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
{{- end }}

{{/*
The Kafka settings Secret of a component: (list . .Values.routers.kafkaConfig "router").
Its own existing Secret, else its own properties (a chart-made Secret), else kafka.config's.
Empty when there is none.
*/}}
{{- define "sidetrack.kafkaConfigSecret" -}}
{{- $root := index . 0 }}
{{- $own := index . 1 }}
{{- $component := index . 2 }}
{{- if $own.existingSecret }}
{{- $own.existingSecret }}
{{- else if $own.properties }}
{{- printf "%s-kafka" (include "sidetrack.component" (list $root $component)) }}
{{- else if $root.Values.kafka.config.existingSecret }}
{{- $root.Values.kafka.config.existingSecret }}
{{- else if $root.Values.kafka.config.properties }}
{{- printf "%s-kafka" (include "sidetrack.fullname" $root) }}
{{- end }}
{{- end }}

{{/* Flags, env and mounts shared by registry-stream and the routers: Kafka and the registry. */}}
{{- define "sidetrack.kafkaArgs" -}}
{{- $root := index . 0 }}
{{- $secret := include "sidetrack.kafkaConfigSecret" . }}
- --bootstrap-servers={{ $root.Values.kafka.bootstrapServers }}
- --schema-registry-url={{ $root.Values.schemaRegistry.url }}
{{- with $root.Values.kafka.topicPrefix }}
- --topic-prefix={{ . }}
{{- end }}
{{- if $secret }}
- --kafka-config=/etc/sidetrack/kafka/kafka.properties
{{- end }}
{{- if $root.Values.schemaRegistry.truststore.existingSecret }}
- --schema-registry-truststore=/etc/sidetrack/schema-registry/{{ $root.Values.schemaRegistry.truststore.key }}
{{- end }}
{{- end }}

{{- define "sidetrack.schemaRegistryEnv" -}}
{{- $auth := .Values.schemaRegistry.auth }}
{{- if and $auth.existingSecret $auth.basicAuthKey }}
- name: SCHEMA_REGISTRY_BASIC_AUTH
  valueFrom:
    secretKeyRef:
      name: {{ $auth.existingSecret }}
      key: {{ $auth.basicAuthKey }}
{{- end }}
{{- if and $auth.existingSecret $auth.tokenKey }}
- name: SCHEMA_REGISTRY_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $auth.existingSecret }}
      key: {{ $auth.tokenKey }}
{{- end }}
{{- $ts := .Values.schemaRegistry.truststore }}
{{- if and $ts.existingSecret $ts.passwordKey }}
- name: SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $ts.existingSecret }}
      key: {{ $ts.passwordKey }}
{{- end }}
{{- end }}

{{- define "sidetrack.kafkaVolumeMounts" -}}
{{- $root := index . 0 }}
{{- if include "sidetrack.kafkaConfigSecret" . }}
- name: kafka-config
  mountPath: /etc/sidetrack/kafka
  readOnly: true
{{- end }}
{{- if $root.Values.schemaRegistry.truststore.existingSecret }}
- name: schema-registry-truststore
  mountPath: /etc/sidetrack/schema-registry
  readOnly: true
{{- end }}
{{- end }}

{{- define "sidetrack.kafkaVolumes" -}}
{{- $root := index . 0 }}
{{- $secret := include "sidetrack.kafkaConfigSecret" . }}
{{- if $secret }}
- name: kafka-config
  secret:
    secretName: {{ $secret }}
    defaultMode: 0440
{{- end }}
{{- if $root.Values.schemaRegistry.truststore.existingSecret }}
- name: schema-registry-truststore
  secret:
    secretName: {{ $root.Values.schemaRegistry.truststore.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- end }}

{{- define "sidetrack.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}

{{/* The namespaces that get the trust ConfigMap: the injection namespaces and the release's. */}}
{{- define "sidetrack.trustNamespaces" -}}
{{- $all := append .Values.injection.namespaces .Release.Namespace | uniq }}
{{- toJson $all }}
{{- end }}

{{/* Name of the Secret holding the router signing key. */}}
{{- define "sidetrack.signingSecret" -}}
{{- if eq .Values.signing.mode "existingSecret" }}
{{- required "signing.existingSecret is required with signing.mode=existingSecret" .Values.signing.existingSecret }}
{{- else }}
{{- include "sidetrack.component" (list . "router-signing") }}
{{- end }}
{{- end }}

{{/*
The PEM public key of an Ed25519 private key in PEM (PKCS#8). Helm has no call for it, but a
certificate made with the key carries the public key in its SubjectPublicKeyInfo, whose DER for
Ed25519 is a fixed 12-byte prefix and the 32 key bytes: cut those out of the certificate.
*/}}
{{- define "sidetrack.ed25519PublicKeyPem" -}}
{{- $cert := genSelfSignedCertWithKey "sidetrack-router-signing" nil nil 1 . }}
{{- $der := $cert.Cert | replace "-----BEGIN CERTIFICATE-----" "" | replace "-----END CERTIFICATE-----" "" | nospace | b64dec }}
{{- $prefix := "\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00" }}
{{- $parts := splitList $prefix $der }}
{{- if ne (len $parts) 2 }}
{{- fail "signing key: not one Ed25519 public key in its certificate; is it an Ed25519 PKCS#8 key?" }}
{{- end }}
{{- $spki := print $prefix (index $parts 1 | trunc 32) | b64enc }}
{{- printf "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n" $spki }}
{{- end }}

{{/* Which router address each router advertises: "podIP" or "podName". */}}
{{- define "sidetrack.routerAdvertise" -}}
{{- if eq .Values.routers.advertise "auto" }}
{{- if .Values.routers.relayTls.secretName }}podName{{ else }}podIP{{ end }}
{{- else }}
{{- .Values.routers.advertise }}
{{- end }}
{{- end }}

{{/* Name of the Secret with the injector's serving certificate (tls.crt, tls.key). */}}
{{- define "sidetrack.injectorTlsSecret" -}}
{{- if eq .Values.injector.tls.mode "secret" }}
{{- required "injector.tls.existingSecret is required with injector.tls.mode=secret" .Values.injector.tls.existingSecret }}
{{- else }}
{{- printf "%s-tls" (include "sidetrack.component" (list . "injector")) }}
{{- end }}
{{- end }}
