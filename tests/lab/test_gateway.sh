#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test_gateway.sh -- the Gateway API control plane end to end: dpgw reads a
# manifest directory of ordinary Kubernetes YAML, computes status, compiles
# the tables and follows the directory as it changes (add, change, delete,
# rename, bad YAML, a file written in several chunks), with dpgwctl get /
# show routes / show gateway as a user sees them, and a Gateway's VIP
# answering ARP from the client namespace. A SIGHUP that changes the VIP
# pool moves an auto-assigned Gateway to a new address.
. "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

lab_init gateway
M=$LAB_TMP/manifests
mkdir -p "$M/apps"

tables_version()
{
	lab_ctl -o json show gateway | lab_json "d['version']"
}

# wait_tables V: until the gateway tables are past version V (3 s at most).
wait_tables()
{
	local i v
	for i in $(seq 60); do
		v=$(tables_version 2>/dev/null)
		[ -n "$v" ] && [ "$v" -gt "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# getj KIND NS NAME EXPR: a value from `dpgwctl -o json get` (EXPR in python on d).
getj()
{
	if [ -n "$2" ]; then
		lab_ctl -o json get "$1" "$3" -n "$2" | lab_json "$4"
	else
		lab_ctl -o json get "$1" "$3" | lab_json "$4"
	fi
}

attached()
{
	getj gateway infra web "[l['attachedRoutes'] for l in d['status']['listeners'] if l['name'] == '$1'][0]"
}

cat >"$M/gateway.yaml" <<'EOF'
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: dpgw
spec:
  controllerName: dpgw.io/gateway-controller
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: someone-else
spec:
  controllerName: example.com/other
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: web
  namespace: infra
spec:
  gatewayClassName: dpgw
  listeners:
  - name: http
    protocol: HTTP
    port: 80
    allowedRoutes:
      namespaces:
        from: All
  - name: tcp
    protocol: TCP
    port: 9000
    allowedRoutes:
      namespaces:
        from: All
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: pinned
  namespace: infra
spec:
  gatewayClassName: dpgw
  addresses:
  - value: 10.9.9.9
  listeners:
  - name: http
    protocol: HTTP
    port: 80
EOF

cat >"$M/apps/app.yaml" <<'EOF'
# Service + EndpointSlice, as kubectl would apply them
apiVersion: v1
kind: Service
metadata:
  name: echo
  namespace: apps
spec:
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: echo-abc
  namespace: apps
  labels:
    kubernetes.io/service-name: echo
addressType: IPv4
ports:
- name: http
  port: 8080
endpoints:
- addresses: ["10.77.2.2"]
- addresses: ["10.77.3.2"]
  conditions: {ready: true}
- addresses: ["10.77.4.2"]
  conditions: {ready: false}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
  namespace: apps
spec:
  parentRefs:
  - name: web
    namespace: infra
    sectionName: http
  hostnames: ["shop.example.com"]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /api}
    backendRefs:
    - name: echo
      port: 80
  - matches:
    - path: {type: Exact, value: /}
    backendRefs:
    - name: echo
      port: 80
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: broken
  namespace: apps
spec:
  parentRefs:
  - name: web
    namespace: infra
  hostnames: ["broken.example.com"]
  rules:
  - backendRefs:
    - name: nowhere
      port: 80
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: moved
  namespace: apps
spec:
  parentRefs:
  - name: web
    namespace: infra
  hostnames: ["old.example.com"]
  rules:
  - filters:
    - type: RequestRedirect
      requestRedirect:
        hostname: shop.example.com
        statusCode: 301
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata:
  name: db
  namespace: apps
spec:
  parentRefs:
  - name: web
    namespace: infra
    sectionName: tcp
  rules:
  - backendRefs:
    - name: echo
      port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
  namespace: apps
spec: {}
EOF

lab_client_topology
if ! lab_start_dpgw "$LAB_HOME/dpgw-lab.conf.in" IFACE="$GIF"; then
	lab_fail "dpgw starts on $GIF"
	lab_done
	exit
fi
lab_pass "dpgw starts on $GIF with $LAB_PMD and a manifest directory"

# ---- status, as kubectl get would show it ----

out=$(lab_ctl get gatewayclasses)
lab_expect "get gatewayclasses: ours is Accepted" "$out" =~ 'dpgw +dpgw.io/gateway-controller +True'
lab_expect "get gatewayclasses: another controller's class has no status from us" \
	"$(getj gatewayclass '' someone-else "d.get('status') is None")" == true
out=$(lab_ctl get gateways -A)
lab_expect "get gateways: web got the first VIP and is Programmed" "$out" =~ 'infra +web +dpgw +10\.77\.1\.10 +True'
lab_expect "get gateway pinned: 10.9.9.9 is not in the pool: Programmed False/AddressNotUsable" \
	"$(getj gateway infra pinned "[c['status'] + '/' + c['reason'] for c in d['status']['conditions'] if c['type'] == 'Programmed'][0]")" \
	== False/AddressNotUsable
lab_expect "listener http counts its three HTTPRoutes" "$(attached http)" -eq 3
lab_expect "listener tcp counts its TCPRoute" "$(attached tcp)" -eq 1
out=$(lab_ctl get httproutes -A)
lab_expect "get httproutes: shop Accepted, refs resolved" "$out" =~ 'apps +shop +shop\.example\.com +True +True'
lab_expect "get httproutes: broken Accepted, refs not resolved" "$out" =~ 'apps +broken +broken\.example\.com +True +False'
lab_expect "broken: ResolvedRefs reason BackendNotFound" \
	"$(getj httproute apps broken "[c['reason'] for c in d['status']['parents'][0]['conditions'] if c['type'] == 'ResolvedRefs'][0]")" \
	== BackendNotFound
lab_expect "route parent status names our controller" \
	"$(getj httproute apps shop "d['status']['parents'][0]['controllerName']")" == dpgw.io/gateway-controller
lab_expect "observedGeneration is the route's generation (1)" \
	"$(getj httproute apps shop "d['status']['parents'][0]['conditions'][0]['observedGeneration']")" -eq 1
lab_ok "get -o yaml reads back as the same object as -o json" bash -c "
	'$DPGWCTL' --socket '$LAB_SOCK' -o yaml get httproute shop -n apps >'$LAB_TMP/shop.yaml' &&
	'$DPGWCTL' --socket '$LAB_SOCK' -o json get httproute shop -n apps >'$LAB_TMP/shop.json' &&
	'$LAB_PYTHON' -c 'import json,sys,yaml; sys.exit(yaml.safe_load(open(\"$LAB_TMP/shop.yaml\")) != json.load(open(\"$LAB_TMP/shop.json\")))'"
lab_nok "get of a missing object fails" lab_ctl get httproute nothing -n apps
lab_nok "get of an unknown kind fails" lab_ctl get widgets
lab_expect "the Deployment in the directory was skipped, not an error" \
	"$(lab_ctl -o json show gateway | lab_json "len(d['manifest_errors'])")" -eq 0

# ---- the compiled tables ----

out=$(lab_ctl show routes)
lab_expect "show routes: Exact / comes before PathPrefix /api (precedence)" \
	"$(printf '%s\n' "$out" | grep -n 'shop.example.com' | grep -E 'exact /|prefix /api' | awk -F: '{print $1}' | tr '\n' ' ')" \
	=~ '^[0-9]+ [0-9]+ $'
lab_expect "show routes: rule order exact then prefix" \
	"$(printf '%s\n' "$out" | grep 'shop.example.com' | awk '{print $6}' | tr '\n' ' ')" == "exact prefix "
lab_expect "show routes: only the two ready endpoints of echo" "$out" =~ 'apps/echo:80 w=1 eps=2'
lab_expect "show routes: the missing backend is compiled as invalid (500)" "$out" =~ 'apps/nowhere:80 w=1 eps=0 invalid'
lab_expect "show routes: TCP listener with two endpoints" \
	"$(printf '%s\n' "$out" | grep -cE 'infra/web/tcp +TCP +10.77.1.10:9000')" -eq 2
lab_expect "show routes: a redirect rule needs no backend" "$out" =~ 'old\.example\.com +0 +apps/moved#0 +prefix / +\(redirect\)'
lab_expect "show routes -o json: the rule's filter is compiled" \
	"$(lab_ctl -o json show routes | lab_json "[e['filters'] for e in d['http'] if e.get('route') == 'moved'][0]")" \
	== RequestRedirect
lab_ok "the Gateway's VIP 10.77.1.10 answers ARP" inns arping -c 1 -w 2 -I "$CIF" 10.77.1.10

# ---- the directory changes ----

v=$(tables_version)
sed -i 's#value: /api}#value: /api/v2}#' "$M/apps/app.yaml"
wait_tables "$v"
lab_expect "change a file: new tables (v$v -> $(tables_version))" "$(tables_version)" -gt "$v"
lab_expect "change a file: show routes has /api/v2" "$(lab_ctl show routes)" =~ 'prefix /api/v2'
lab_expect "change a file: generation of shop is 2, observedGeneration follows" \
	"$(getj httproute apps shop "str(d['metadata']['generation']) + '/' + str(d['status']['parents'][0]['conditions'][0]['observedGeneration'])")" \
	== 2/2

v=$(tables_version)
cat >"$M/apps/extra.yaml" <<'EOF'
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: extra
  namespace: apps
spec:
  parentRefs:
  - name: web
    namespace: infra
  hostnames: ["extra.example.com"]
  rules:
  - backendRefs:
    - name: echo
      port: 80
EOF
wait_tables "$v"
lab_expect "add a file: its route attaches (attachedRoutes 4)" "$(attached http)" -eq 4

v=$(tables_version)
mv "$M/apps/extra.yaml" "$M/extra-renamed.yml"
sleep 0.3
lab_ok "rename a file: the route is still there" lab_ctl get httproute extra -n apps
lab_expect "rename a file: still attached (4)" "$(attached http)" -eq 4

v=$(tables_version)
rm "$M/extra-renamed.yml"
wait_tables "$v"
lab_nok "delete a file: its route is gone" lab_ctl get httproute extra -n apps
lab_expect "delete a file: attachedRoutes back to 3" "$(attached http)" -eq 3

# bad YAML in a new file: refused with file and line, nothing else changes
v=$(tables_version)
printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n   namespace: oops\n' >"$M/bad.yaml"
sleep 0.4
err=$(lab_ctl show gateway)
lab_expect "bad YAML: show gateway names file and line" "$err" =~ 'bad\.yaml:5:'
lab_expect "bad YAML: logged with file and line" "$(cat "$LAB_DPGW_LOG")" =~ 'manifest refused.*bad\.yaml:5'
lab_expect "bad YAML: no new tables" "$(tables_version)" -eq "$v"

# bad YAML in a file that was good: its last good objects keep serving
cp "$M/apps/app.yaml" "$LAB_TMP/app.good"
printf '  - : [\n' >>"$M/apps/app.yaml"
sleep 0.4
lab_expect "a good file broken: error recorded for app.yaml" "$(lab_ctl show gateway)" =~ 'app\.yaml:[0-9]+'
lab_ok "a good file broken: its route keeps serving" lab_ctl get httproute shop -n apps
lab_expect "a good file broken: show routes still has shop" "$(lab_ctl show routes)" =~ 'prefix /api/v2'
cp "$LAB_TMP/app.good" "$M/apps/app.yaml"
rm "$M/bad.yaml"
sleep 0.4
lab_expect "fixed: no manifest errors left" \
	"$(lab_ctl -o json show gateway | lab_json "len(d['manifest_errors'])")" -eq 0

# a file written in several chunks converges on the whole file
v=$(tables_version)
"$LAB_PYTHON" - "$M/apps/chunked.yaml" <<'EOF'
import sys, time
text = """apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: chunked
  namespace: apps
spec:
  parentRefs:
  - name: web
    namespace: infra
  hostnames: ["chunked.example.com"]
  rules:
  - matches:
    - path: {type: Exact, value: /written-in-chunks}
    backendRefs:
    - name: echo
      port: 80
"""
with open(sys.argv[1], "w") as f:
    for i in range(0, len(text), 40):
        f.write(text[i:i + 40])
        f.flush()
        time.sleep(0.03)
EOF
sleep 0.4
lab_expect "chunked write: the whole route is served" "$(lab_ctl show routes)" =~ 'exact /written-in-chunks'
lab_expect "chunked write: no errors remain" \
	"$(lab_ctl -o json show gateway | lab_json "len(d['manifest_errors'])")" -eq 0

# ---- reload: the VIP pool changes, the Gateway moves ----

v=$(tables_version)
sed -i 's/vips = \[ "10.77.1.10", /vips = [ /' "$LAB_DPGW_CONF"
kill -HUP "$LAB_DPGW_PID"
wait_tables "$v"
lab_expect "SIGHUP without 10.77.1.10: web moves to 10.77.1.11" \
	"$(getj gateway infra web "d['status']['addresses'][0]['value']")" == 10.77.1.11
lab_ok "the new VIP answers ARP" inns arping -c 1 -w 2 -I "$CIF" 10.77.1.11

lab_done
