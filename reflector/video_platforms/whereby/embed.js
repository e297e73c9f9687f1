// A Whereby meeting in the room page through Whereby's <whereby-embed> element. The host's
// link carries its roomKey, which only the room's owner is ever given (contracts/whereby.md §3).
"use strict";

window.reflectorEmbed = function (container, join) {
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
