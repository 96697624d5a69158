// The web form's proof of work (kontakt/portal/form_services.py): find the first counter
// for which SHA-256("<challenge>:<counter>") begins with the challenge's number of zero
// bits (about 260,000 tries at 18 bits: two or three seconds). It starts when the page
// opens, so it is done long before the resident sends.
// Without this script (or without crypto.subtle, which browsers give only over HTTPS) the
// form is sent as it is, and the server asks for a few seconds' patience instead.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
  var form = document.getElementById("web-form");
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    return;
  }
  var challenge = form.querySelector("input[name=pow_challenge]");
  var solution = form.querySelector("input[name=pow_solution]");
  var status = document.getElementById("pow-status");
  var button = document.getElementById("send");
  var bits = parseInt(challenge.getAttribute("data-bits"), 10) || 0;
  var encoder = new TextEncoder();
  var solved = false;
  var sendWhenSolved = false;

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

  async function solve(prefix) {
    for (var counter = 0; ; counter++) {
      var digest = await crypto.subtle.digest("SHA-256", encoder.encode(prefix + counter));
      if (zeroBits(new Uint8Array(digest)) >= bits) {
        return String(counter);
      }
      if (counter % 2000 === 1999) {
        // Let the page breathe: typing stays smooth while the work goes on.
        await new Promise(function (resolve) { setTimeout(resolve, 0); });
      }
    }
  }

  // In a worker where the browser allows one (a background tab slows the page's own
  // timers); on the page itself otherwise.
  function solveSomewhere(prefix) {
    var url = form.getAttribute("data-worker");
    if (!window.Worker || !url) {
      return solve(prefix);
    }
    return new Promise(function (resolve) {
      var worker;
      try {
        worker = new Worker(url);
      } catch (error) {
        resolve(solve(prefix));
        return;
      }
      worker.onmessage = function (event) {
        worker.terminate();
        resolve(event.data);
      };
      worker.onerror = function (event) {
        event.preventDefault();
        worker.terminate();
        resolve(solve(prefix));
      };
      worker.postMessage({prefix: prefix, bits: bits});
    });
  }

  solveSomewhere(challenge.value + ":").then(function (counter) {
    solution.value = counter;
    solved = true;
    if (sendWhenSolved) {
      status.textContent = status.getAttribute("data-sending");
      form.submit();
    }
  });

  form.addEventListener("submit", function (event) {
    if (solved) {
      return;
    }
    event.preventDefault();
    sendWhenSolved = true;
    button.setAttribute("aria-disabled", "true");
    status.textContent = status.getAttribute("data-working");
  });
})();
