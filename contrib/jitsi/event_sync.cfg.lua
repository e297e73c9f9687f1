-- Prosody event sync for Reflector (jitsi-contrib/prosody-plugins, event_sync_component).
-- docker-jitsi-meet: copy to ${CONFIG}/prosody/config/conf.d/event_sync.cfg.lua and restart
-- prosody. Replace the URL and the token; the token is Reflector's JITSI_WEBHOOK_SECRET.
-- The module POSTs to <api_prefix>/events/room/created, …/room/destroyed,
-- …/occupant/joined and …/occupant/left. Keep the URL on the internal network: Prosody
-- sends the token as a plain header and signs nothing.

Component "esync.meet.jitsi" "event_sync_component"
    muc_component = "muc.meet.jitsi"
    breakout_component = "breakout.meet.jitsi"
    api_prefix = "http://reflector:1250/v1/jitsi"
    api_headers = {
        ["Authorization"] = "Bearer change-me-to-JITSI_WEBHOOK_SECRET";
    }
    include_speaker_stats = true
