"""The media player's script, run by Node against a minimal host: the MCP Apps handshake, then the tool result
played in place (inline audio, or a linked video read through the host). Skipped where Node is missing."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from openrouter_multimodal.entrypoints.media_player import PLAYER_HTML

NODE = shutil.which("node")

HOST = r"""
const sent = [], listeners = [];
const parent = {postMessage: message => sent.push(message)};
const element = tag => ({tag, controls: false, src: "", textContent: "", children: [],
                         replaceChildren(child) { this.children = [child]; }});
const media = element("div"), caption = element("p");
globalThis.window = {parent, addEventListener: (type, listener) => listeners.push(listener)};
globalThis.document = {getElementById: id => (id === "media" ? media : caption), createElement: element};
const deliver = data => listeners.forEach(listener => listener({source: parent, data}));
const tick = () => new Promise(resolve => setTimeout(resolve, 0));
const shown = () => ({tag: media.children[0] && media.children[0].tag, src: media.children[0] && media.children[0].src,
                      caption: caption.textContent});
eval(require("fs").readFileSync(0, "utf8"));
(async () => {
  const report = {};
  const init = sent[0];
  report.first = init.method;
  deliver({jsonrpc: "2.0", id: init.id, result: {}});
  await tick();
  report.second = sent[1] && sent[1].method;
  deliver({jsonrpc: "2.0", method: "ui/notifications/tool-result", params: {content: [
    {type: "text", text: "Audio saved"}, {type: "audio", mimeType: "audio/mpeg", data: "SUQz"}]}});
  await tick();
  report.audio = shown();
  deliver({jsonrpc: "2.0", method: "ui/notifications/tool-result", params: {content: [
    {type: "text", text: "Video saved"},
    {type: "resource_link", uri: "output://files/kite.mp4", name: "kite.mp4", mimeType: "video/mp4"}]}});
  await tick();
  const read = sent.find(message => message.method === "resources/read");
  report.read = read && read.params.uri;
  deliver({jsonrpc: "2.0", id: read.id, result: {contents: [{uri: read.params.uri, mimeType: "video/mp4",
                                                              blob: "AAAAIGZ0eXA="}]}});
  await tick(); await tick();
  report.video = shown();
  console.log(JSON.stringify(report));
})();
"""


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_player_plays_inline_audio_and_reads_a_linked_video_through_the_host() -> None:
    script = PLAYER_HTML.split("<script>", 1)[1].split("</script>", 1)[0]
    done = subprocess.run([str(NODE), "-e", HOST], input=script, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["first"] == "ui/initialize" and report["second"] == "ui/notifications/initialized"
    assert report["audio"] == {"tag": "audio", "src": "data:audio/mpeg;base64,SUQz", "caption": "Audio saved"}
    assert report["read"] == "output://files/kite.mp4"
    assert report["video"] == {"tag": "video", "src": "data:video/mp4;base64,AAAAIGZ0eXA=",
                               "caption": "Video saved"}
