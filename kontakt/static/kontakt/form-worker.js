// The web form's proof of work, off the page's thread (see form.js): a background tab
// slows the page's timers, not a worker.
"use strict";

function zeroBits(bytes) {
  var count = 0;
  for (var i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) {
      count += 8;
      continue;
    }
    return count + Math.clz32(bytes[i]) - 24;
  }
  return count;
}

self.onmessage = async function (event) {
  var prefix = event.data.prefix;
  var bits = event.data.bits;
  var encoder = new TextEncoder();
  for (var counter = 0; ; counter++) {
    var digest = await crypto.subtle.digest("SHA-256", encoder.encode(prefix + counter));
    if (zeroBits(new Uint8Array(digest)) >= bits) {
      self.postMessage(String(counter));
      return;
    }
  }
};
