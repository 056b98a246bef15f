/* Grid officers' field work: the visit form, and visits kept on the phone while offline.

   Every visit form carries a client id made here in the browser (a UUID), so a visit sent
   twice is recorded once: the server answers a repeat with the visit it already has.
   On submit the visit goes to the field API as JSON, with the CSRF token in a header. With
   no connection it is kept in localStorage, encrypted (one queue per signed-in user, see
   below), and sent when the browser comes back online, or when any field page loads. A
   service worker (/field/sw.js) lets the field pages open without a connection. A visit the server refuses
   (invalid input, outside the officer's grids) leaves the queue and is shown with the reason.
   Without JavaScript the form posts to its page and the server applies the same rules. */
(function () {
  "use strict";

  var queueBox = null;
  var flushing = false;

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /* --- the queue, encrypted at rest ------------------------------------------------------
     The queue is kept in localStorage as AES-GCM ciphertext ({v, kid, iv, ct}). The key comes
     from the server, one per session (GET data-key-url), and is imported as a non-extractable
     CryptoKey kept in IndexedDB, so the page can still read the queue offline. A queue
     written under the previous session's key is read with it once and written again under the
     new one; one whose key is gone (signed out) cannot be read and is dropped. Signing out
     deletes the queue, the key and the kept pages (portal.js). */

  var DB_NAME = "portal-field";
  var STORE = "keys";
  var queue = [];
  var cryptoKey = null;
  var keyId = "";
  var writing = Promise.resolve();
  var ready = null;

  function storageKey() {
    return "portal.field.visits." + queueBox.dataset.user;
  }

  function toBase64(bytes) {
    var text = "";
    new Uint8Array(bytes).forEach(function (b) {
      text += String.fromCharCode(b);
    });
    return window.btoa(text);
  }

  function fromBase64(text) {
    var normal = text.replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(normal);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function keyStore(mode, action) {
    return new Promise(function (resolve, reject) {
      var opening = window.indexedDB.open(DB_NAME, 1);
      opening.onupgradeneeded = function () {
        opening.result.createObjectStore(STORE);
      };
      opening.onerror = function () {
        reject(opening.error);
      };
      opening.onsuccess = function () {
        var db = opening.result;
        var tx = db.transaction(STORE, mode);
        var request = action(tx.objectStore(STORE));
        tx.oncomplete = function () {
          db.close();
          resolve(request ? request.result : undefined);
        };
        tx.onerror = function () {
          db.close();
          reject(tx.error);
        };
      };
    });
  }

  function storedKey() {
    return keyStore("readonly", function (store) {
      return store.get(queueBox.dataset.user);
    }).catch(function () {
      return undefined;
    });
  }

  /* This session's key from the server; offline, the one kept from the last visit online. */
  function loadKey() {
    var fetched = window
      .fetch(queueBox.dataset.keyUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (body) {
        return window.crypto.subtle
          .importKey("raw", fromBase64(body.key), { name: "AES-GCM" }, false, ["encrypt", "decrypt"])
          .then(function (key) {
            return { id: body.id, key: key };
          });
      });
    return storedKey().then(function (previous) {
      return fetched.then(
        function (current) {
          return keyStore("readwrite", function (store) {
            return store.put(current, queueBox.dataset.user);
          }).then(function () {
            return { current: current, previous: previous && previous.id !== current.id ? previous : null };
          });
        },
        function () {
          return { current: previous || null, previous: null };
        }
      );
    });
  }

  function decrypt(record, stored) {
    return window.crypto.subtle
      .decrypt({ name: "AES-GCM", iv: fromBase64(stored.iv) }, record.key, fromBase64(stored.ct))
      .then(function (plain) {
        var items = JSON.parse(new TextDecoder().decode(plain));
        return Array.isArray(items) ? items : [];
      });
  }

  function readQueue(keys) {
    var text = window.localStorage.getItem(storageKey());
    var stored = null;
    try {
      stored = text ? JSON.parse(text) : null;
    } catch (error) {
      stored = null;
    }
    if (!stored) {
      return Promise.resolve([]);
    }
    if (Array.isArray(stored)) {
      return Promise.resolve(stored); // kept in clear by an older version: written again encrypted
    }
    var record = [keys.current, keys.previous].filter(function (candidate) {
      return candidate && candidate.id === stored.kid;
    })[0];
    if (!record) {
      return Promise.resolve([]); // its session's key is gone: it cannot be read
    }
    return decrypt(record, stored).catch(function () {
      return [];
    });
  }

  function persist() {
    var items = queue.slice();
    writing = writing.then(function () {
      if (!items.length) {
        window.localStorage.removeItem(storageKey());
        return undefined;
      }
      if (!cryptoKey) {
        return undefined; // no key yet (never online this session): kept in this page only
      }
      var iv = window.crypto.getRandomValues(new Uint8Array(12));
      var plain = new TextEncoder().encode(JSON.stringify(items));
      return window.crypto.subtle
        .encrypt({ name: "AES-GCM", iv: iv }, cryptoKey, plain)
        .then(function (ct) {
          window.localStorage.setItem(
            storageKey(),
            JSON.stringify({ v: 1, kid: keyId, iv: toBase64(iv), ct: toBase64(ct) })
          );
        });
    });
    return writing;
  }

  function start() {
    return loadKey()
      .catch(function () {
        return { current: null, previous: null };
      })
      .then(function (keys) {
        cryptoKey = keys.current ? keys.current.key : null;
        keyId = keys.current ? keys.current.id : "";
        return readQueue(keys);
      })
      .then(function (items) {
        queue = items;
        return persist();
      });
  }

  function reread() {
    storedKey().then(function (record) {
      return readQueue({ current: record || null, previous: null });
    }).then(function (items) {
      queue = items;
      render();
    });
  }

  function loadQueue() {
    return queue.slice();
  }

  function saveQueue(items) {
    queue = items;
    return persist();
  }

  /* Add a visit to the queue; the promise settles once it is written to the phone's storage. */
  function enqueue(item) {
    var items = loadQueue();
    var known = items.some(function (queued) {
      return queued.payload.client_id === item.payload.client_id;
    });
    if (!known) {
      items.push(item);
      return saveQueue(items);
    }
    return writing;
  }

  function update(clientId, change) {
    saveQueue(
      loadQueue()
        .map(function (item) {
          return item.payload.client_id === clientId ? change(item) : item;
        })
        .filter(Boolean)
    );
  }

  function csrfToken() {
    var input = queueBox.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(payload) {
    return window
      .fetch(queueBox.dataset.api, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify(payload),
      })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            return { status: response.status, body: body };
          });
      });
  }

  function isRecorded(status) {
    return status === 200 || status === 201;
  }

  function isRefused(status) {
    return status === 400 || status === 404 || status === 409;
  }

  function render() {
    var items = loadQueue();
    var pending = items.filter(function (item) {
      return !item.failed;
    }).length;
    var status = queueBox.querySelector("[data-queue-status]");
    var text = "";
    if (pending === 1) {
      text = queueBox.dataset.textOne;
    } else if (pending > 1) {
      text = queueBox.dataset.textMany.replace("{n}", String(pending));
    }
    if (status.textContent !== text) {
      status.textContent = text;
    }
    status.dataset.pending = String(pending);
    queueBox.querySelector("[data-queue-send]").hidden = pending === 0;

    var failedList = queueBox.querySelector("[data-queue-failed]");
    failedList.textContent = "";
    items
      .filter(function (item) {
        return item.failed;
      })
      .forEach(function (item) {
        var li = document.createElement("li");
        var message = document.createElement("span");
        message.textContent = queueBox.dataset.textFailed
          .replace("{address}", item.address || "")
          .replace("{message}", item.failed);
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "link-button";
        discard.textContent = queueBox.dataset.textDiscard;
        discard.addEventListener("click", function () {
          update(item.payload.client_id, function () {
            return null;
          });
          render();
        });
        li.appendChild(message);
        li.appendChild(discard);
        failedList.appendChild(li);
      });
    failedList.hidden = !failedList.firstChild;
    var showing = pending > 0 || !failedList.hidden;
    queueBox.classList.toggle("field-queue--showing", showing);
    document.body.classList.toggle("has-field-queue", showing);
  }

  /* Send the waiting visits one after the other; stop at the first that cannot be sent now. */
  function flush() {
    if (flushing || !navigator.onLine) {
      return;
    }
    var next = loadQueue().filter(function (item) {
      return !item.failed;
    })[0];
    if (!next) {
      render();
      return;
    }
    flushing = true;
    post(next.payload).then(
      function (result) {
        flushing = false;
        if (isRecorded(result.status)) {
          update(next.payload.client_id, function () {
            return null;
          });
        } else if (isRefused(result.status)) {
          update(next.payload.client_id, function (item) {
            item.failed = (result.body && result.body.message) || String(result.status);
            return item;
          });
        } else {
          render();
          return;
        }
        render();
        flush();
      },
      function () {
        flushing = false;
        render();
      }
    );
  }

  /* --- the visit form -------------------------------------------------------------------- */

  function collect(form) {
    var data = new FormData(form);
    var payload = {
      client_id: data.get("client_id"),
      address: Number(form.dataset.address),
      outcome: data.get("outcome") || "",
      visited_at: new Date().toISOString(),
      note: (data.get("note") || "").trim(),
      present: [],
      departures: [],
      arrivals: [],
      task_findings: [],
    };
    form.querySelectorAll("[data-task]").forEach(function (row) {
      var finding = (data.get("task_" + row.dataset.task) || "").trim();
      if (finding) {
        payload.task_findings.push({ task: Number(row.dataset.task), finding: finding });
      }
    });
    form.querySelectorAll("[data-resident]").forEach(function (box) {
      var id = Number(box.dataset.resident);
      var choice = data.get("resident_" + id);
      if (choice === "present") {
        payload.present.push(id);
      } else if (choice === "departed") {
        payload.departures.push({ person: id, end_date: data.get("departed_on_" + id) || null });
      }
    });
    form.querySelectorAll("[data-arrival]").forEach(function (row) {
      var prefix = row.dataset.arrival + "-";
      var name = (data.get(prefix + "name") || "").trim();
      var number = (data.get(prefix + "id_number") || "").trim();
      if (!name && !number) {
        return;
      }
      payload.arrivals.push({
        name: name,
        id_number: number,
        start_date: data.get(prefix + "start_date") || null,
        reason: data.get(prefix + "reason") || "work",
        phone: (data.get(prefix + "phone") || "").trim(),
      });
    });
    return payload;
  }

  /* The service's refusal of an empty visit, checked before a visit is kept on the phone, so
     an officer offline learns at the door, not later, that nothing was recorded. */
  function problems(form, payload) {
    var found = [];
    if (!payload.outcome) {
      found.push(form.dataset.textNoOutcome);
    } else if (
      payload.outcome === "done" &&
      !payload.present.length &&
      !payload.departures.length &&
      !payload.arrivals.length &&
      !payload.task_findings.length &&
      !payload.note
    ) {
      found.push(form.dataset.textEmpty);
    }
    return found;
  }

  function isBlankArrival(row) {
    return ["name", "id_number", "phone"].every(function (field) {
      var input = row.querySelector("[name='" + row.dataset.arrival + "-" + field + "']");
      return !input || !input.value.trim();
    });
  }

  function setUpArrivals(form) {
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-arrival]"));
    var button = form.querySelector("[data-add-arrival]");
    if (!button) {
      return;
    }
    rows.forEach(function (row, index) {
      row.hidden = index > 0 && isBlankArrival(row);
    });
    function refresh() {
      button.hidden = !rows.some(function (row) {
        return row.hidden;
      });
    }
    button.addEventListener("click", function () {
      var next = rows.filter(function (row) {
        return row.hidden;
      })[0];
      if (next) {
        next.hidden = false;
        var first = next.querySelector("input");
        if (first) {
          first.focus();
        }
      }
      refresh();
    });
    form.addEventListener("reset", function () {
      window.setTimeout(function () {
        rows.forEach(function (row, index) {
          row.hidden = index > 0;
        });
        refresh();
      });
    });
    refresh();
  }

  /* The departure date is asked only of a person marked as having left. */
  function setUpResidents(form) {
    form.querySelectorAll("[data-resident]").forEach(function (box) {
      var id = box.dataset.resident;
      var dateInput = box.querySelector("[name='departed_on_" + id + "']");
      var wrapper = dateInput ? dateInput.closest(".field") : null;
      if (!wrapper) {
        return;
      }
      function refresh() {
        var chosen = box.querySelector("[name='resident_" + id + "']:checked");
        wrapper.hidden = !(chosen && chosen.value === "departed") && !wrapper.classList.contains("field--error");
      }
      box.addEventListener("change", refresh);
      form.addEventListener("reset", function () {
        window.setTimeout(refresh);
      });
      refresh();
    });
  }

  function setUpVisitForm(form) {
    var clientId = form.querySelector("input[name=client_id]");
    var submit = form.querySelector("[data-visit-submit]");
    var again = form.querySelector("[data-new-visit]");
    var status = form.querySelector("[data-visit-status]");
    var busy = false;
    // The browser makes the id, unless the server sent the form back with a refusal: then
    // the id of the refused attempt, under which nothing was recorded, is kept.
    if (!form.querySelector(".field--error, .field__errors") && !document.querySelector("[data-error-summary]")) {
      clientId.value = uuid4();
    }
    setUpArrivals(form);
    setUpResidents(form);

    function keepOnPhone(payload) {
      // "Saved" is said only once the visit is written to the phone's storage, so a page closed
      // right after it loses nothing.
      ready.then(function () {
        return enqueue({ payload: payload, address: form.dataset.addressText, queuedAt: new Date().toISOString() });
      }).then(function () {
        render();
        status.textContent = form.dataset.textSaved;
        again.hidden = false;
        busy = false;
        submit.disabled = false;
      });
    }

    again.addEventListener("click", function () {
      form.reset();
      clientId.value = uuid4();
      status.textContent = "";
      again.hidden = true;
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) {
        return;
      }
      var payload = collect(form);
      var refused = problems(form, payload);
      if (refused.length) {
        status.textContent = refused.join(" ");
        status.classList.add("visit-form__status--error");
        return;
      }
      status.classList.remove("visit-form__status--error");
      busy = true;
      submit.disabled = true;
      if (!navigator.onLine) {
        keepOnPhone(payload);
        return;
      }
      status.textContent = form.dataset.textSending;
      post(payload).then(
        function (result) {
          if (isRecorded(result.status)) {
            window.location.assign(form.dataset.visitUrl.replace("/0/", "/" + result.body.id + "/"));
          } else if (result.status >= 500) {
            keepOnPhone(payload);
          } else {
            // A refusal: the page itself shows it next to the fields it concerns.
            form.submit();
          }
        },
        function () {
          keepOnPhone(payload);
        }
      );
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    queueBox = document.querySelector("[data-field-queue]");
    if (!queueBox) {
      return;
    }
    if ("serviceWorker" in navigator && queueBox.dataset.serviceWorker) {
      navigator.serviceWorker.register(queueBox.dataset.serviceWorker).catch(function () {
        return undefined; // the pages still work online without it
      });
    }
    queueBox.querySelector("[data-queue-send]").addEventListener("click", flush);
    document.querySelectorAll("[data-visit-form]").forEach(setUpVisitForm);
    ready = start().then(function () {
      render();
      flush();
    });
    window.addEventListener("online", function () {
      ready.then(flush);
    });
    window.addEventListener("storage", function (event) {
      if (event.key === storageKey()) {
        reread();
      }
    });
  });
})();
