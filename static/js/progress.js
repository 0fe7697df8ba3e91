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
    value = Math.max(0, value);
    return value < 60 ? `${Math.round(value)} s` : `${Math.floor(value / 60)} min ${Math.round(value % 60)} s`;
  }

  const FINISHED = ["completed", "failed", "cancelled"];

  // Whatever on the page follows a task: a status badge
  // (data-follow-task="<id>"), or an action that fits only some states
  // (data-follow-task="<id>" data-show-for="failed cancelled"), so a finished
  // task loses its Cancel and a failed one gains its Retry without a reload.
  function follow(state) {
    document.querySelectorAll(`[data-follow-task="${state.task_id}"]`).forEach(function (element) {
      if (element.dataset.showFor !== undefined) {
        element.hidden = !element.dataset.showFor.split(" ").includes(state.status);
      } else {
        element.textContent = state.status;
        FINISHED.concat(["pending", "processing"]).forEach(function (status) { element.classList.remove(status); });
        element.classList.add("status", state.status);
      }
    });
  }

  function trackTask(card, links, options) {
    options = options || {};
    const bar = card.querySelector("[role=progressbar]");
    const fill = card.querySelector("[data-fill]");
    const percent = card.querySelector("[data-percent]");
    const message = card.querySelector("[data-message]");
    const clock = card.querySelector("[data-clock]");
    const eta = card.querySelector("[data-eta]");
    const error = card.querySelector("[data-error]");
    const cancel = card.querySelector("[data-cancel]");
    const detail = card.querySelector("[data-detail-link]");
    // Time counts from the task's start, not from the page load: the page
    // says when it started (data-started-at); a card that follows a task
    // from its submission sees it start (its first state past pending).
    let startedAt = card.dataset.startedAt ? Date.parse(card.dataset.startedAt) : null;
    let finished = false;
    let shown = null;

    card.hidden = false;
    if (detail && links.detail_url) detail.href = links.detail_url;

    function tick() {
      if (startedAt !== null) clock.textContent = `Started ${seconds((Date.now() - startedAt) / 1000)} ago`;
    }
    tick();
    const ticking = setInterval(tick, 1000);

    function show(state) {
      shown = state;
      if (startedAt === null && state.status !== "pending") startedAt = Date.parse(state.updated_at) || Date.now();
      const value = Math.max(0, Math.min(100, state.progress || 0));
      bar.setAttribute("aria-valuenow", String(value));
      bar.setAttribute("aria-valuetext", `${value}% ${state.message || ""}`.trim());
      fill.style.width = `${value}%`;
      percent.textContent = `${value}%`;
      message.textContent = state.message || "";
      eta.textContent = state.eta_seconds ? ` · about ${seconds(state.eta_seconds)} left` : "";
      card.dataset.status = state.status;
      tick();
      follow(state);
    }

    function finish(state, text) {
      if (finished) return;
      finished = true;
      source.close();
      clearInterval(ticking);
      show(state);
      eta.textContent = "";
      const ended = Date.parse(state.updated_at);
      if (startedAt !== null && ended) clock.textContent = `Took ${seconds((ended - startedAt) / 1000)}`;
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

  // A live table of tasks or of their subjects (memories): one stream per
  // project on the page (usually one), each resuming from the event id the
  // page was rendered at. Rows are the server's: a task the page has not
  // shown yet (started in another tab, by the API, by an import) is fetched
  // as a row from data-row-url (the zero UUID stands for its id), and so is
  // a row whose task ended, so that its buttons are those of its new state.
  // The server answers 204 when the page's filters leave the task out.
  const ZERO_ID = "00000000-0000-0000-0000-000000000000";

  function liveList(table) {
    const streams = table.dataset.streams
      ? JSON.parse(table.dataset.streams)
      : [{ url: table.dataset.stream, lastEventId: table.dataset.lastEventId }];
    const types = table.dataset.taskTypes ? table.dataset.taskTypes.split(" ") : null;
    const body = table.tBodies[0];
    const shown = {};
    const fetching = {};
    const leftOut = {}; // task id -> the status the server left it out in (204)
    let countsTimer = null;

    function rowOf(taskId) {
      return table.querySelector(`tr[data-task-id="${taskId}"]`);
    }

    function paint(row, state) {
      const status = row.querySelector("[data-status]");
      status.textContent = state.status;
      status.className = `status ${state.status}`;
      row.querySelector("[data-percent]").textContent = state.status === "processing" ? `${state.progress}%` : "";
      row.dataset.updatedAt = state.updated_at;
    }

    function fetchRow(taskId, status) {
      if (!table.dataset.rowUrl || fetching[taskId]) return;
      fetching[taskId] = true;
      const url = new URL(table.dataset.rowUrl.replace(ZERO_ID, taskId), window.location.href);
      new URLSearchParams(window.location.search).forEach(function (value, key) {
        if (key !== "page") url.searchParams.set(key, value);
      });
      url.searchParams.set("next", window.location.pathname + window.location.search);
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (response.status === 204) leftOut[taskId] = status;
          return response.status === 200 ? response.text() : "";
        })
        .then(function (html) {
          delete fetching[taskId];
          if (!html) return;
          const template = document.createElement("template");
          template.innerHTML = html.trim();
          const row = template.content.querySelector("tr");
          if (!row) return;
          const old = rowOf(taskId) || (row.dataset.memoryId && table.querySelector(`tr[data-memory-id="${row.dataset.memoryId}"]`));
          if (old) {
            old.replaceWith(row);
          } else if (table.dataset.addRows !== undefined) {
            body.prepend(row);
            row.classList.add("arrived");
            table.hidden = false;
            const empty = table.parentElement.querySelector("[data-empty]");
            if (empty) empty.hidden = true;
          } else {
            return;
          }
          // An event that came while the row was on its way may be newer than it.
          const state = shown[taskId];
          if (state && isNewer(state, { updated_at: row.dataset.updatedAt, progress: 0 })) paint(row, state);
        })
        .catch(function () { delete fetching[taskId]; });
    }

    // Counts by status come from the server too (the page cannot count rows
    // it does not show); at most one request a second, however busy the stream.
    function refreshCounts() {
      if (!table.dataset.countsUrl || countsTimer) return;
      countsTimer = setTimeout(function () {
        countsTimer = null;
        const url = new URL(table.dataset.countsUrl, window.location.href);
        new URLSearchParams(window.location.search).forEach(function (value, key) {
          if (key !== "page" && key !== "status") url.searchParams.set(key, value);
        });
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : {}; })
          .then(function (counts) {
            Object.keys(counts).forEach(function (key) {
              document.querySelectorAll(`[data-count="${key}"]`).forEach(function (element) {
                element.textContent = String(counts[key]);
              });
            });
          })
          .catch(function () {});
      }, 1000);
    }

    function update(event) {
      const state = JSON.parse(event.data);
      if (types && !types.includes(state.task_type)) return;
      const before = shown[state.task_id];
      if (!isNewer(state, before)) return;
      shown[state.task_id] = state;
      follow(state);
      const row = rowOf(state.task_id);
      if (!row) {
        // A filter may take it in a later state (a status filter), not in the same one.
        if (table.dataset.addRows !== undefined && leftOut[state.task_id] !== state.status) {
          fetchRow(state.task_id, state.status);
        }
      } else {
        paint(row, state);
        if (FINISHED.includes(state.status)) fetchRow(state.task_id, state.status);
      }
      if (!before || before.status !== state.status) refreshCounts();
    }

    return streams.map(function (stream) {
      const source = new EventSource(`${stream.url}?lastEventId=${encodeURIComponent(stream.lastEventId)}`);
      ["progress", "completed", "failed", "cancelled"].forEach(function (type) {
        source.addEventListener(type, update);
      });
      return source;
    });
  }

  window.MemStack = { trackTask: trackTask, enhanceMemoryForm: enhanceMemoryForm, liveList: liveList, follow: follow };

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
