// A Whereby meeting in the room page through Whereby's <whereby-embed> element. The host's
// link carries its roomKey, which only the room's owner is ever given (contracts/whereby.md §3).
"use strict";

// Whereby's script defines the element once it has loaded; past this, it did not load.
const WHEREBY_LOAD_MS = 10000;

window.reflectorEmbed = async function (container, join) {
  let timer = null;
  const late = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error("Whereby's embed script did not load")), WHEREBY_LOAD_MS);
  });
  try {
    await Promise.race([customElements.whenDefined("whereby-embed"), late]);
  } finally {
    clearTimeout(timer);
  }
  const element = document.createElement("whereby-embed");
  element.setAttribute("room", join.url);
  if (join.displayName) {
    element.setAttribute("displayName", join.displayName);
  }
  element.style.width = "100%";
  element.style.height = "100%";
  container.replaceChildren(element);
  return { startRecording: null, leave: () => element.remove() };
};
