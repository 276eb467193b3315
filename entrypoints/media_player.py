"""The generated-media player as an MCP App (``mcp.server.apps``): a ``ui://`` resource bound to the media tools.

Hosts that render MCP Apps show the player with the tool result: it plays the inline audio or
video, or reads the linked file through the host (``resources/read``). Only a client that
negotiated Apps (``client_supports_apps``, the SDK's capability check) is shown the binding in
``tools/list``; every other client sees the tools without it and keeps the text summary and link.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mcp.server.apps import Apps, client_supports_apps
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver.tools import Tool
from mcp.types import Tool as MCPTool

PLAYER_URI = "ui://openrouter-multimodal/player.html"
PLAYER_TOOLS = frozenset({"generate_video", "generate_video_from_image", "get_video_status", "get_job_status",
                          "generate_audio"})

PLAYER_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>Media player</title>
<style>body{margin:0;font:14px system-ui,sans-serif}video,audio{display:block;width:100%;max-height:80vh}
p{margin:8px}</style></head><body><div id="media"></div><p id="caption"></p><script>
"use strict";
let next = 0;
const waiting = {};
const MEDIA = /^(audio|video)\\//;
function send(message) { window.parent.postMessage(Object.assign({jsonrpc: "2.0"}, message), "*"); }
function request(method, params) {
  const id = ++next;
  send({id, method, params});
  return new Promise((resolve, reject) => { waiting[id] = [resolve, reject]; });
}
function play(mime, base64) {
  const element = document.createElement(mime.startsWith("video/") ? "video" : "audio");
  element.controls = true;
  element.src = "data:" + mime + ";base64," + base64;
  document.getElementById("media").replaceChildren(element);
}
async function render(result) {
  const blocks = (result && result.content) || [];
  const caption = blocks.find(b => b.type === "text");
  document.getElementById("caption").textContent = caption ? caption.text : "";
  for (const b of blocks) {
    if (b.type === "audio" && b.data) return play(b.mimeType, b.data);
    if (b.type === "resource" && b.resource && b.resource.blob && MEDIA.test(b.resource.mimeType || ""))
      return play(b.resource.mimeType, b.resource.blob);
  }
  const link = blocks.find(b => b.type === "resource_link" && MEDIA.test(b.mimeType || ""));
  if (!link) return;
  const read = await request("resources/read", {uri: link.uri});
  const file = read && read.contents && read.contents[0];
  if (file && file.blob) play(file.mimeType || link.mimeType, file.blob);
}
window.addEventListener("message", event => {
  if (event.source !== window.parent) return;
  const message = event.data || {};
  if (message.id in waiting && !message.method) {
    const [resolve, reject] = waiting[message.id];
    delete waiting[message.id];
    return message.error ? reject(message.error) : resolve(message.result);
  }
  if (message.method === "ui/notifications/tool-result") render(message.params);
});
request("ui/initialize", {appInfo: {name: "openrouter-media-player", version: "1"}, appCapabilities: {},
                          protocolVersion: "2026-01-26"})
  .then(() => send({method: "ui/notifications/initialized", params: {}}));
</script></body></html>
"""


def player_app() -> Apps:
    """The Apps extension: advertises MCP Apps and serves the player as a ``text/html;profile=mcp-app`` resource."""
    apps = Apps()
    apps.add_html_resource(PLAYER_URI, PLAYER_HTML, name="media-player", title="Media player",
                           description="Plays generated audio and video in hosts that render MCP Apps.")
    return apps


def bind_player(tools: Iterable[Tool]) -> None:
    """Stamp ``_meta.ui.resourceUri`` on the tools whose results hold generated audio or video."""
    for tool in tools:
        if tool.name in PLAYER_TOOLS:
            tool.meta = {**(tool.meta or {}), "ui": {"resourceUri": PLAYER_URI}}


def for_client(tools: list[MCPTool], ctx: ServerRequestContext[Any, Any] | None) -> list[MCPTool]:
    """``tools`` as this client is shown them: without the player binding unless it negotiated MCP Apps."""
    if ctx is not None and client_supports_apps(ctx):
        return tools
    return [_unbound(tool) for tool in tools]


def _unbound(tool: MCPTool) -> MCPTool:
    meta = tool.meta
    if not meta or "ui" not in meta:
        return tool
    rest = {key: value for key, value in meta.items() if key != "ui"}
    return tool.model_copy(update={"meta": rest or None})
