"""The MCP server object: MemStack's tools on the SDK's MCPServer."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

from apps.agents.mcp.tools import TOOLS

INSTRUCTIONS = """\
MemStack is this project's long-term memory. Save what is worth keeping with
add_memory; it is ingested into a knowledge graph (entities and the facts
joining them). Read back with get_memory, list_memories and get_entity.
Ingestion runs in the background: add_memory waits for it by default and
reports each stage as progress; get_task and cancel_task follow or stop it.
The key you connected with gives one project, read-only or read-write."""


def build_server() -> MCPServer:
    server = MCPServer("memstack", title="MemStack", instructions=INSTRUCTIONS)
    for tool in TOOLS:
        server.add_tool(tool)
    return server
