"""The MCP server: MemStack's tools for agents, on the official `mcp` SDK.

* `tools.py`: the tools (public interface: names and arguments stay as they are).
* `server.py`: the SDK server that carries them.
* `http.py`: streamable HTTP at /mcp (mounted beside Django in memstack/asgi.py).
* `follow.py`: a task's progress events, as the pages get them.
* The stdio transport is `manage.py mcp --key <key>`.
"""
