// A real WebRTC call inside the page: two RTCPeerConnections connected to each other, the
// local camera (or file) sent through the browser's own encoder at a chosen bitrate, size and
// codec, and received, decoded, as a remote participant would see it.

// The bandwidth presets: the sender's maxBitrate and the height it scales the video down to.
export const PRESETS = {
  "1500k": { label: "1.5 Mbps / 720p", maxBitrate: 1_500_000, height: 720 },
  "300k": { label: "300 kbps / 360p", maxBitrate: 300_000, height: 360 },
  "150k": { label: "150 kbps / 270p", maxBitrate: 150_000, height: 270 },
};
export const CODECS = ["VP8", "H264"];  // the demo's menu; any codec the browser sends works

function codecPreferences(codec) {
  const all = RTCRtpSender.getCapabilities("video")?.codecs ?? [];
  const wanted = all.filter((c) => c.mimeType.toLowerCase() === `video/${codec.toLowerCase()}`);
  if (!wanted.length) throw new Error(`this browser cannot send ${codec}`);
  // Retransmission and error correction stay available; every other video codec goes.
  return [...wanted, ...all.filter((c) => /\/(rtx|red|ulpfec|flexfec-03)$/i.test(c.mimeType))];
}

export class LoopbackCall {
  constructor() {
    this.sender = new RTCPeerConnection();
    this.receiver = new RTCPeerConnection();
    this.sender.onicecandidate = (e) => e.candidate && this.receiver.addIceCandidate(e.candidate);
    this.receiver.onicecandidate = (e) => e.candidate && this.sender.addIceCandidate(e.candidate);
    this.lastStats = null;
  }

  /** Send the stream's video track; resolves with the received track. ``maxBitrate`` (bits/s),
   * when given, replaces the preset: a bitrate ceiling only, as a real call has, with the
   * sender's ``degradation`` preference (RTCRtpSendParameters.degradationPreference). */
  async start(stream, { preset = "300k", codec = "VP8", maxBitrate = null, degradation = "balanced" } = {}) {
    const track = stream.getVideoTracks()[0];
    if (!track) throw new Error("the source has no video track");
    this.sourceHeight = track.getSettings().height || 720;
    const transceiver = this.sender.addTransceiver(track, { direction: "sendonly", streams: [stream] });
    transceiver.setCodecPreferences(codecPreferences(codec));
    this.senderTrack = transceiver.sender;
    const received = new Promise((resolve) => {
      this.receiver.ontrack = (e) => resolve(e.track);
    });
    const offer = await this.sender.createOffer();
    await this.sender.setLocalDescription(offer);
    await this.receiver.setRemoteDescription(offer);
    const answer = await this.receiver.createAnswer();
    await this.receiver.setLocalDescription(answer);
    await this.sender.setRemoteDescription(answer);
    if (maxBitrate) await this.setBitrate(maxBitrate, degradation);
    else await this.setPreset(preset);
    this.codec = codec;
    return received;
  }

  /** Only a bitrate ceiling: the sender's own adaptation picks the resolution, the frame rate
   * and the quantizer, as in a real call. ``degradation``: what it gives up first when bits or
   * CPU run short: "balanced" (Chromium's default for a camera: at 300 kbps, 480x270 at 10 fps),
   * "maintain-framerate" (resolution: 320x180 at 30 fps) or "maintain-resolution". */
  async setBitrate(maxBitrate, degradation = "balanced") {
    const parameters = this.senderTrack.getParameters();
    parameters.encodings = parameters.encodings?.length ? parameters.encodings : [{}];
    parameters.encodings[0].maxBitrate = maxBitrate;
    delete parameters.encodings[0].scaleResolutionDownBy;
    parameters.degradationPreference = degradation;
    await this.senderTrack.setParameters(parameters);
    this.preset = `${Math.round(maxBitrate / 1000)}k`;
  }

  /** Change bitrate and size during the call (no renegotiation needed). */
  async setPreset(name) {
    const preset = PRESETS[name];
    if (!preset) throw new Error(`unknown preset ${name}`);
    const parameters = this.senderTrack.getParameters();
    parameters.encodings = parameters.encodings?.length ? parameters.encodings : [{}];
    parameters.encodings[0].maxBitrate = preset.maxBitrate;
    parameters.encodings[0].scaleResolutionDownBy = Math.max(1, this.sourceHeight / preset.height);
    // Keep the preset's size; the encoder lowers quality, not resolution, when bits run short.
    parameters.degradationPreference = "maintain-resolution";
    await this.senderTrack.setParameters(parameters);
    this.preset = name;
  }

  /** The received video's bitrate (bits/s since the last call), size, codec, and the decoder's
   * running counts (frames decoded, dropped and frozen, QP sum). */
  async stats() {
    const report = await this.receiver.getStats();
    let inbound = null;
    const codecs = new Map();
    report.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") inbound = s;
      if (s.type === "codec") codecs.set(s.id, s.mimeType);
    });
    if (!inbound) return null;
    const now = { bytes: inbound.bytesReceived, time: inbound.timestamp };
    const last = this.lastStats;
    this.lastStats = now;
    return {
      bitrate: last && now.time > last.time ? ((now.bytes - last.bytes) * 8 * 1000) / (now.time - last.time) : null,
      width: inbound.frameWidth ?? 0,
      height: inbound.frameHeight ?? 0,
      framesDecoded: inbound.framesDecoded ?? 0,
      framesDropped: inbound.framesDropped ?? 0,
      freezeCount: inbound.freezeCount ?? 0,
      freezeSeconds: inbound.totalFreezesDuration ?? 0,
      qpSum: inbound.qpSum ?? null,
      codec: codecs.get(inbound.codecId) ?? this.codec,
    };
  }

  close() {
    this.sender.close();
    this.receiver.close();
  }
}
