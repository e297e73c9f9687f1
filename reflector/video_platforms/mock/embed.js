// A mock meeting in the room page: the mock platform's own meeting page, in a frame, with the
// visitor's name filled in.
"use strict";

window.reflectorEmbed = function (container, join) {
  const link = new URL(join.url);
  if (join.displayName) {
    link.searchParams.set("name", join.displayName);
  }
  const frame = document.createElement("iframe");
  frame.src = link.toString();
  frame.title = "The mock meeting";
  container.replaceChildren(frame);
  return { startRecording: null, leave: () => frame.remove() };
};
