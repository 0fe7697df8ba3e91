"""Server-Sent Events: the stream views and our own stream loop.

A stream serves one channel. Before anything is sent it authenticates the
client (session or API token) and checks access; a bad `Last-Event-ID` is a
400. Then, in the web process's event loop:

1. it subscribes to the bridge, before reading anything, so that no event
   can fall between what it reads and what it is handed;
2. a new client gets the current state (`task_event` of each task, with the
   id of the channel's position when it was read); a resumed one gets what
   was stored after its id;
3. it waits for the bridge and sends each event at most once, in id order:
   anything at or below the last id sent is dropped, a gap is read from
   storage first, and a task's state is sent only if it is newer than the
   last one sent for that task (`TaskStates`), so progress never goes back
   and one terminal event ends each task. A task stream ends after it.

No thread and no database connection is held while a stream waits, and
opening one is async end to end: its database reads (who the client is,
the access check, the first state, stored events) run on the few storage
threads (eventstorage.py), each with a connection it keeps; the middleware
that Django runs in a thread runs on one thread shared by all stream
requests (memstack/asgi.py enters `stream_context`), with no database work
there. The frames go straight to the ASGI server (`EventStreamResponse`).
While a stream waits with nothing queued, the bridge writes the next event
to it directly (`Subscription.offer`), without waking its task: under
uvicorn, whose `send` writes at once unless the client is behind, that
halves the cost of fanning an event out to a thousand streams. A client that
is behind gets its events from the stream's task, in order, as before.

Behind Pushpin (GRIP) the proxy holds the stream: a task stream is answered
without a hold once it carries the terminal event, and the worker that
publishes that event also tells Pushpin to close the channel's streams
(`events.py`, grip.py); each held stream also listens on its reader's channel
(`channels.reader_channel`), which `events.close_reader_streams` closes
when the reader leaves the project.

django-eventstream's own loop re-sent events: after reading storage it threw
away what the bridge had queued meanwhile and read storage again from its
*old* position, so a client saw ids 2, 2, 3, 2, 3, 4... Ours keeps one
position per stream and never reads behind it.

Where it lives: the stream loop and its response (loop.py), what one stream
has sent of each task (states.py), the views that open streams (views.py),
and what the server process does around them (process.py).
"""

from apps.tasks.streams.loop import EventStreamResponse
from apps.tasks.streams.process import close_streams_on_shutdown, stream_context
from apps.tasks.streams.views import project_stream, task_stream

__all__ = ["EventStreamResponse", "close_streams_on_shutdown", "project_stream", "stream_context", "task_stream"]
