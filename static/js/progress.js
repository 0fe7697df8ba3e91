// Live task progress over Server-Sent Events. No build step, no dependencies.
// A card is any element with the data-* hooks used below (see
// templates/includes/progress_card.html). EventSource reconnects by itself and
// resumes from the last event id, so a dropped connection loses nothing.
(function () {
  "use strict";

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // A stream may deliver a state twice, or an older one after a newer one
  // (a client that connects mid-task gets the current state, then the events
  // since the position it resumed from). Only a newer state is shown, so a
  // bar never moves backwards. `updated_at` has millisecond precision, so
  // stages reported within one millisecond are ordered by progress.
  function isNewer(state, previous) {
    if (!previous) return true;
    const time = Date.parse(state.updated_at);
    const previousTime = Date.parse(previous.updated_at);
    if (time !== previousTime) return !(time < previousTime); // unparseable: show it
    return (state.progress || 0) >= (previous.progress || 0);
  }

  function seconds(value) {
    return value < 60 ? `${Math.round(value)} s` : `${Math.floor(value / 60)} min ${Math.round(value % 60)} s`;
  }

  function trackTask(card, links, options) {
    options = options || {};
    const bar = card.querySelector("[role=progressbar]");
    const fill = card.querySelector("[data-fill]");
    const percent = card.querySelector("[data-percent]");
    const message = card.querySelector("[data-message]");
    const elapsed = card.querySelector("[data-elapsed]");
    const eta = card.querySelector("[data-eta]");
    const error = card.querySelector("[data-error]");
    const cancel = card.querySelector("[data-cancel]");
    const detail = card.querySelector("[data-detail-link]");
    const started = Date.now();
    let finished = false;
    let shown = null;

    card.hidden = false;
    card.dataset.status = "pending";
    if (detail && links.detail_url) detail.href = links.detail_url;

    const clock = setInterval(function () {
      elapsed.textContent = seconds((Date.now() - started) / 1000);
    }, 1000);

    function show(state) {
      shown = state;
      const value = Math.max(0, Math.min(100, state.progress || 0));
      bar.setAttribute("aria-valuenow", String(value));
      bar.setAttribute("aria-valuetext", `${value}% ${state.message || ""}`.trim());
      fill.style.width = `${value}%`;
      percent.textContent = `${value}%`;
      message.textContent = state.message || "";
      eta.textContent = state.eta_seconds ? ` · about ${seconds(state.eta_seconds)} left` : "";
      card.dataset.status = state.status;
    }

    function finish(state, text) {
      if (finished) return;
      finished = true;
      source.close();
      clearInterval(clock);
      show(state);
      eta.textContent = "";
      if (cancel) cancel.hidden = true;
      if (text) {
        error.textContent = text;
        error.hidden = false;
      }
      if (detail) detail.hidden = false;
    }

    const source = new EventSource(links.stream_url);
    source.addEventListener("progress", function (event) {
      const state = JSON.parse(event.data);
      if (!finished && isNewer(state, shown)) show(state);
    });
    source.addEventListener("completed", function (event) {
      const state = JSON.parse(event.data);
      finish(state, "");
      if (options.onCompleted) options.onCompleted(state);
    });
    source.addEventListener("failed", function (event) {
      const state = JSON.parse(event.data);
      const reason = (state.error || "unknown error").replace(/[.\s]+$/, ""); // most errors end with a full stop
      finish(
        state,
        card.dataset.failedText
          ? `${card.dataset.failedText}: ${reason}.`
          : `Ingestion failed: ${reason}. The memory was kept; you can retry it from its page.`
      );
    });
    source.addEventListener("cancelled", function (event) {
      finish(JSON.parse(event.data), card.dataset.cancelledText || "Ingestion was cancelled. The memory was kept.");
    });
    source.addEventListener("stream-error", function (event) {
      const data = JSON.parse(event.data);
      source.close();
      error.textContent = `Live progress is unavailable: ${data.text}`;
      error.hidden = false;
    });

    if (cancel && links.cancel_url) {
      cancel.hidden = false;
      cancel.addEventListener("click", function () {
        cancel.disabled = true;
        message.textContent = "Cancelling...";
        fetch(links.cancel_url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        }).then(function (response) {
          if (!response.ok) {
            return response.json().then(function (body) {
              cancel.disabled = false;
              error.textContent = body.detail || "Could not cancel.";
              error.hidden = false;
            });
          }
        });
      });
    }
    return source;
  }

  // The New Memory form: submit in place, then follow the task on a card.
  function enhanceMemoryForm(form) {
    const card = document.getElementById(form.dataset.card);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const submit = form.querySelector("[type=submit]");
      submit.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (body) {
            return { ok: response.ok, body: body };
          });
        })
        .then(function (result) {
          submit.disabled = false;
          if (!result.ok) {
            form.querySelector("[data-fields]").innerHTML = result.body.form_html;
            return;
          }
          form.hidden = true;
          card.querySelector("[data-title]").textContent = form.elements.title.value;
          trackTask(card, result.body, {
            onCompleted: function () {
              setTimeout(function () { window.location.assign(result.body.list_url); }, 800);
            },
          });
        })
        .catch(function () {
          submit.disabled = false;
          form.submit(); // fall back to a plain post
        });
    });
  }

  // A list of tasks' subjects: one stream per project on the page (usually one),
  // each resuming from the event id the page was rendered at.
  function liveList(table) {
    const streams = table.dataset.streams
      ? JSON.parse(table.dataset.streams)
      : [{ url: table.dataset.stream, lastEventId: table.dataset.lastEventId }];
    const shown = {};
    function update(event) {
      const state = JSON.parse(event.data);
      const row = table.querySelector(`[data-task-id="${state.task_id}"]`);
      if (!row || !isNewer(state, shown[state.task_id])) return;
      shown[state.task_id] = state;
      row.querySelector("[data-status]").textContent = state.status;
      row.querySelector("[data-status]").className = `status ${state.status}`;
      row.querySelector("[data-percent]").textContent = state.status === "processing" ? `${state.progress}%` : "";
    }
    return streams.map(function (stream) {
      const source = new EventSource(`${stream.url}?lastEventId=${encodeURIComponent(stream.lastEventId)}`);
      ["progress", "completed", "failed", "cancelled"].forEach(function (type) {
        source.addEventListener(type, update);
      });
      return source;
    });
  }

  window.MemStack = { trackTask: trackTask, enhanceMemoryForm: enhanceMemoryForm, liveList: liveList };

  document.addEventListener("DOMContentLoaded", function () {
    // A select that applies itself (no inline handlers: the Content-Security-Policy allows none).
    document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("form[data-memory-form]").forEach(enhanceMemoryForm);
    document.querySelectorAll("table[data-stream], table[data-streams]").forEach(liveList);
    document.querySelectorAll("[data-track-task]").forEach(function (card) {
      trackTask(card, JSON.parse(card.dataset.trackTask), {
        // A card whose page is gone when its task ends (a deleted project) names where to go instead.
        onCompleted: function () {
          setTimeout(function () {
            if (card.dataset.doneUrl) window.location.assign(card.dataset.doneUrl);
            else window.location.reload();
          }, 800);
        },
      });
    });
  });
})();
