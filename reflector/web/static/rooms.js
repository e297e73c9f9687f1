// The rooms list: how many people are in each room, kept current.
"use strict";

(function () {
  const EVERY_MS = 5000;

  async function look() {
    try {
      const response = await fetch("/v1/presence", { credentials: "same-origin" });
      if (response.ok) {
        const counts = new Map();
        for (const room of await response.json()) {
          counts.set(room.room_id, room.num_clients);
        }
        document.querySelectorAll("[data-room-id]").forEach(function (card) {
          card.querySelector("[data-count]").textContent = String(counts.get(card.dataset.roomId) || 0);
        });
      }
    } finally {
      window.setTimeout(look, EVERY_MS);
    }
  }

  window.setTimeout(look, EVERY_MS);
})();
