#!/bin/sh
# Jibri finalize script: hands a finished recording to Reflector.
#
# Jibri runs it with one argument, the session's recording directory, which holds the media
# file (<room>_<yyyy-MM-dd-HH-mm-ss>.mp4) and metadata.json (contracts/jitsi.md §d.4).
# Jibri stays busy until this exits, so every attempt has a time limit and the retries end.
#
# Environment (add it to the jibri service in docker-compose):
#   REFLECTOR_API_URL      this service's base URL, e.g. http://reflector:1250
#   JITSI_WEBHOOK_SECRET   the same secret the server has
#   REFLECTOR_SHARED_VOLUME=1   send only the directory name: the server reads the files from
#                               its JITSI_RECORDINGS_DIR (default: upload the files)
#   REFLECTOR_ATTEMPTS (6), REFLECTOR_UPLOAD_TIMEOUT (1800 s per attempt)
#
# Needs only POSIX sh, curl and openssl. Local files are never deleted here: remove them
# once the recording shows up in Reflector.
set -u

directory=${1:?usage: finalize.sh <recording directory>}
api=${REFLECTOR_API_URL:?REFLECTOR_API_URL is not set}
secret=${JITSI_WEBHOOK_SECRET:?JITSI_WEBHOOK_SECRET is not set}
attempts=${REFLECTOR_ATTEMPTS:-6}
timeout=${REFLECTOR_UPLOAD_TIMEOUT:-1800}
url="${api%/}/v1/jitsi/recordings"
session=$(basename "$directory")

log() { echo "reflector-finalize: $*" >&2; }

media=""
for candidate in "$directory"/*.mp4 "$directory"/*.webm "$directory"/*.mkv \
    "$directory"/*.flv "$directory"/*.mov; do
    [ -f "$candidate" ] && media=$candidate && break
done
metadata="$directory/metadata.json"

# Writes the request body to stdout: once to hash it, then once per attempt to send it, so a
# large recording is streamed from disk and never copied.
body() {
    if [ -n "${REFLECTOR_SHARED_VOLUME:-}" ]; then
        printf '{"session": "%s"}' "$session"
        return
    fi
    part 'name="session"'
    printf '%s\r\n' "$session"
    if [ -f "$metadata" ]; then
        part 'name="metadata"; filename="metadata.json"' application/json
        cat "$metadata"
        printf '\r\n'
    fi
    part "name=\"file\"; filename=\"$media_name\"" application/octet-stream
    cat "$media"
    printf '\r\n%s--\r\n' "--$boundary"
}

# The head of one multipart part: its boundary, disposition and, for files, content type.
part() {
    printf '%s\r\nContent-Disposition: form-data; %s\r\n' "--$boundary" "$1"
    [ -n "${2:-}" ] && printf 'Content-Type: %s\r\n' "$2"
    printf '\r\n'
}

# Only Jibri-made names ([A-Za-z0-9_-]) are sent; the server refuses anything else anyway.
case $session in
    *[!A-Za-z0-9_-]*|"") log "not a Jibri session directory: $directory"; exit 1 ;;
esac
if [ -n "${REFLECTOR_SHARED_VOLUME:-}" ]; then
    content_type="application/json"
else
    if [ -z "$media" ]; then
        log "no recording in $directory"
        exit 1
    fi
    media_name=$(basename "$media" | tr -c 'A-Za-z0-9._-' '_')
    boundary="reflector-$(openssl rand -hex 16)"
    content_type="multipart/form-data; boundary=$boundary"
fi

# The signature covers the body's SHA-256, so the server can check it before the upload.
digest=$(body | openssl dgst -sha256 | sed 's/^.*= *//')
attempt=1
delay=2
while :; do
    timestamp=$(date +%s)
    signature=$(printf '%s.%s' "$timestamp" "$digest" \
        | openssl dgst -sha256 -hmac "$secret" | sed 's/^.*= *//')
    status=$(body | curl --silent --show-error --output /dev/null --write-out '%{http_code}' \
        --connect-timeout 10 --max-time "$timeout" -X POST -T - \
        -H "Content-Type: $content_type" -H "Expect:" \
        -H "X-Reflector-Signature: t=$timestamp,sha256=$digest,v1=$signature" \
        "$url")
    case $status in
        2??) log "session $session delivered (HTTP $status)"; exit 0 ;;
        408|429|5??|000) log "attempt $attempt: HTTP $status" ;;
        *) log "session $session refused (HTTP $status); not retrying"; exit 1 ;;
    esac
    if [ "$attempt" -ge "$attempts" ]; then
        log "giving up on session $session after $attempt attempts"
        exit 1
    fi
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2))
done
