#!/usr/bin/env bash
# npm run test:docker — builds the real image and runs it as a user would. Not part of `npm test`:
# it needs root (it starts dockerd when none runs) and a few minutes. On a machine that cannot reach
# Docker Hub, ../shared/tools/local-node-image.sh builds the node:22-bookworm-slim base locally.
set -uo pipefail
cd "$(dirname "$0")/.."
image=soundlake:test
passed=0
failed=0
check() {
  local name=$1
  shift
  if "$@"; then echo "ok    $name"; passed=$((passed + 1)); else echo "FAIL  $name"; failed=$((failed + 1)); fi
}

if [ -x ../shared/tools/local-node-image.sh ] || [ -f ../shared/tools/local-node-image.sh ]; then
  bash ../shared/tools/local-node-image.sh || exit 1
fi

t0=$(date +%s)
docker build -q -t "$image" . >/dev/null || { echo "docker build failed"; exit 1; }
t1=$(date +%s)
docker build -q --target slim -t "$image-slim" . >/dev/null || { echo "docker build --target slim failed"; exit 1; }
t2=$(date +%s)

work=$(mktemp -d)
chmod 777 "$work"
trap 'rm -rf "$work"' EXIT

check "docker run soundlake prints the jobs" bash -c "docker run --rm $image | grep -q '^listening-events '"
check "the container's user is not root" bash -c "[ \"\$(docker run --rm --entrypoint id $image -u)\" != 0 ]"
check "the image carries no .env, tests or TypeScript sources" \
  docker run --rm --entrypoint sh "$image" -c 'test ! -e /app/.env && test ! -e /app/tests && test ! -e /app/src && [ -z "$(find /app -name "*.ts" -not -name "*.d.ts" -not -path "*/node_modules/*")" ]'
check "the CLI starts from the code cache made at build (no module compiled again)" \
  bash -c "docker run --rm -e NODE_DEBUG_NATIVE=COMPILE_CACHE $image --version 2>&1 | grep -q 'dist/src/cli.js was accepted'"
check "the full image has Chromium" docker run --rm --entrypoint /usr/bin/chromium "$image" --version
check "the slim image has no Chromium" docker run --rm --entrypoint sh "$image-slim" -c 'test ! -e /usr/bin/chromium'

# --help of every command and subcommand, as listed by the CLI itself.
commands=$(docker run --rm "$image" --help | awk '/^Commands:/{on=1;next} on && /^  [a-z]/{print $1}' | grep -v '^help$')
help_ok=true
for c in $commands; do
  docker run --rm "$image" "$c" --help >/dev/null || { echo "  --help failed: $c"; help_ok=false; }
  subs=$(docker run --rm "$image" "$c" --help | awk '/^Commands:/{on=1;next} on && /^  [a-z]/{print $1}' | grep -v '^help$')
  for s in $subs; do docker run --rm "$image" "$c" "$s" --help >/dev/null || { echo "  --help failed: $c $s"; help_ok=false; }; done
done
[ -n "$commands" ] || help_ok=false
check "--help works for every command inside the image ($(echo $commands | wc -w) commands)" $help_ok

printf 'RUN_LOG_LEVEL=warn\n# the embedded defaults: ./lake and ./landing under /data\n' > "$work/demo.env"
check "docker run --env-file … demo completes" bash -c "docker run --rm --env-file $work/demo.env -v $work:/data $image demo > $work/demo.out 2>&1"
check "the demo's lake files appear in the mounted volume" bash -c "ls $work/lake/_manifests/listening-events/*.json >/dev/null && ls $work/lake/raw/listening/streams/year=2024/month=06/ | grep -q day=30"

# SIGTERM (docker stop, as ECS does) aborts a run cleanly: exit 1, nothing committed.
docker run --rm -v "$work:/data" "$image" generate listening-events --out /data/big --events 3000000 >/dev/null
# The files were just written: without settle_seconds = 0 the run would leave them all to settle.
cid=$(docker run -d -e LISTENING_EVENTS_SETTLE_SECONDS=0 -e LISTENING_EVENTS_LANDING_URL=/data/big -e LAKE_URL=/data/stop-lake -v "$work:/data" "$image" run listening-events)
# Stop it once it is reading (its first progress or "reading" line), not before.
for _ in $(seq 1 60); do docker logs "$cid" 2>&1 | grep -q '"message":"reading"' && break; sleep 0.5; done
docker stop -t 30 "$cid" >/dev/null
code=$(docker wait "$cid" 2>/dev/null || docker inspect -f '{{.State.ExitCode}}' "$cid")
docker logs "$cid" > "$work/stop.log" 2>&1
check "docker stop aborts a run with exit 1 (not killed), nothing committed" \
  bash -c "[ '$code' = 1 ] && grep -q 'run aborted: received SIGTERM' $work/stop.log && [ ! -e $work/stop-lake/raw ] && [ ! -e $work/stop-lake/_manifests ]"
docker rm -f "$cid" >/dev/null 2>&1

# docker compose, as README tells a newcomer: the demo into MinIO without a .env, data kept in
# named volumes across --rm containers. Needs the compose plugin and the pinned MinIO images
# (Docker Hub); skipped, and said so, where either is missing.
if docker compose version >/dev/null 2>&1 && docker compose pull -q minio createbucket >/dev/null 2>&1; then
  project=soundlake-test-$$
  dc() { docker compose -p "$project" "$@"; }
  trap 'dc down -v >/dev/null 2>&1; rm -rf "$work"' EXIT
  check "compose: the demo runs into MinIO without a .env" bash -c "[ ! -e .env ] || mv .env .env.test-docker-aside; dc run --rm soundlake demo > $work/compose-demo.out 2>&1; s=\$?; [ ! -e .env.test-docker-aside ] || mv .env.test-docker-aside .env; exit \$s"
  check "compose: MinIO holds the committed files" bash -c "dc run --rm --entrypoint sh createbucket -c 'mc alias set local http://minio:9000 minioadmin minioadmin >/dev/null && mc ls --recursive local/music-lake/lake/_manifests/' | grep -q '.json'"
  check "compose: the landing set and the warehouse outlive --rm (named volume /data)" bash -c "dc run --rm --entrypoint sh soundlake -c 'test -d /data/landing/archive && test -e /data/warehouse.duckdb'"
  dc down -v >/dev/null 2>&1
else
  echo "skip  docker compose: no compose plugin or no MinIO images (Docker Hub) here"
fi

size() { docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1/1000/1000}'; }
echo
echo "image with Chromium: $(size "$image"), build $((t1 - t0)) s; slim: $(size "$image-slim"), build $((t2 - t1)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
