/**
 * The detector's outputs: event records (an onset notice the moment the trigger goes on, then the final
 * summary when the event closes) and periodic telemetry summaries. Plain numeric fields in preallocated
 * objects: the detector copies into the caller's object, so reading outputs allocates nothing.
 */

export const EventPhase = Object.freeze({
  /** The trigger just went on: onset time and the STA/LTA ratio so far; peaks cover the pre-event window. */
  Onset: 1,
  /** The event closed: every field is final. */
  Final: 2,
});

/** Why an event closed, besides the normal end of its post-event window (bit flags). */
export const EventFlag = Object.freeze({
  /** The trigger stayed on for maxEventMs; the event was cut there. */
  Truncated: 1,
  /** A gap in the samples closed the event early. */
  Gap: 2,
  /** `flush()` closed the event (end of data). */
  Flushed: 4,
  /** The pre-event window was not fully covered (the detector started or restarted less than preEventMs before). */
  PartialPreEvent: 8,
  /** The dominant frequency is a bound (no zero crossing on both sides of the PPV peak inside the window). */
  FrequencyBound: 16,
});

export class SeismicEvent {
  /** 1 = onset, 2 = final (EventPhase). */
  phase = 0;
  /** Sequence number of the event since the detector started (1, 2, ...). */
  id = 0;
  /** Time of the sample at which the ratio first reached onThreshold, ms (caller's clock). */
  onsetMs = 0;
  /** Time of the last sample at or above offThreshold (of the last re-trigger), ms. */
  offMs = 0;
  /** offMs - onsetMs. */
  durationMs = 0;
  /** Sample indices of onset and off, counted from the detector's first sample (for ObsPy comparison). */
  onIndex = 0;
  offIndex = 0;
  /** First and last sample time the event's peaks cover (pre-event window to end of post-event window). */
  windowStartMs = 0;
  windowEndMs = 0;
  /** Peak ground acceleration per axis (high-passed), m/s^2, and the largest of the three. */
  pgaXMPerS2 = 0;
  pgaYMPerS2 = 0;
  pgaZMPerS2 = 0;
  pgaMPerS2 = 0;
  /** Peak particle velocity per axis, mm/s, and the largest of the three (the criteria's PPV). */
  ppvXMmPerS = 0;
  ppvYMmPerS = 0;
  ppvZMmPerS = 0;
  ppvMmPerS = 0;
  /** Axis of the largest PPV: 0 = x, 1 = y, 2 = z. */
  ppvAxis = 0;
  /** Zero-crossing frequency of each axis's velocity around its peak, Hz. */
  freqXHz = 0;
  freqYHz = 0;
  freqZHz = 0;
  /** Frequency of the PPV axis: the frequency the limit curve is read at. */
  dominantFreqHz = 0;
  /** Largest STA/LTA ratio during the event. */
  staLtaPeak = 0;
  /** Times the trigger went on again inside the post-event window (merged into this event). */
  retriggers = 0;
  /** EventFlag bits. */
  flags = 0;
  /** The profile's limit at dominantFreqHz, mm/s; ppvMmPerS / limit; class (PpvClass). */
  ppvLimitMmPerS = 0;
  ppvRatio = 0;
  ppvClass = 0;

  copyFrom(o: SeismicEvent): this {
    this.phase = o.phase;
    this.id = o.id;
    this.onsetMs = o.onsetMs;
    this.offMs = o.offMs;
    this.durationMs = o.durationMs;
    this.onIndex = o.onIndex;
    this.offIndex = o.offIndex;
    this.windowStartMs = o.windowStartMs;
    this.windowEndMs = o.windowEndMs;
    this.pgaXMPerS2 = o.pgaXMPerS2;
    this.pgaYMPerS2 = o.pgaYMPerS2;
    this.pgaZMPerS2 = o.pgaZMPerS2;
    this.pgaMPerS2 = o.pgaMPerS2;
    this.ppvXMmPerS = o.ppvXMmPerS;
    this.ppvYMmPerS = o.ppvYMmPerS;
    this.ppvZMmPerS = o.ppvZMmPerS;
    this.ppvMmPerS = o.ppvMmPerS;
    this.ppvAxis = o.ppvAxis;
    this.freqXHz = o.freqXHz;
    this.freqYHz = o.freqYHz;
    this.freqZHz = o.freqZHz;
    this.dominantFreqHz = o.dominantFreqHz;
    this.staLtaPeak = o.staLtaPeak;
    this.retriggers = o.retriggers;
    this.flags = o.flags;
    this.ppvLimitMmPerS = o.ppvLimitMmPerS;
    this.ppvRatio = o.ppvRatio;
    this.ppvClass = o.ppvClass;
    return this;
  }
}

export class SeismicSummary {
  /** Time of the period's first and last sample, ms. */
  startMs = 0;
  endMs = 0;
  samples = 0;
  /** RMS of the high-passed acceleration per axis over the period, m/s^2. */
  rmsXMPerS2 = 0;
  rmsYMPerS2 = 0;
  rmsZMPerS2 = 0;
  /** Peak |acceleration| per axis, m/s^2. */
  peakXMPerS2 = 0;
  peakYMPerS2 = 0;
  peakZMPerS2 = 0;
  /** Peak |velocity| per axis, mm/s. */
  ppvXMmPerS = 0;
  ppvYMmPerS = 0;
  ppvZMmPerS = 0;
  /**
   * RMS of the velocity vector's magnitude over the period, sqrt(mean(vx^2 + vy^2 + vz^2)), mm/s (the PPV
   * path's velocity: high-passed, integrated). On a motion along one axis it is that axis' RMS.
   */
  rmsVelocityMmPerS = 0;
  /** Events whose trigger went on in this period. */
  events = 0;
  /** Gaps (time steps longer than maxGapMs) seen in this period. */
  gaps = 0;
  /** Samples during which the STA/LTA was still warming up (no trigger possible). */
  warmupSamples = 0;

  copyFrom(o: SeismicSummary): this {
    this.startMs = o.startMs;
    this.endMs = o.endMs;
    this.samples = o.samples;
    this.rmsXMPerS2 = o.rmsXMPerS2;
    this.rmsYMPerS2 = o.rmsYMPerS2;
    this.rmsZMPerS2 = o.rmsZMPerS2;
    this.peakXMPerS2 = o.peakXMPerS2;
    this.peakYMPerS2 = o.peakYMPerS2;
    this.peakZMPerS2 = o.peakZMPerS2;
    this.ppvXMmPerS = o.ppvXMmPerS;
    this.ppvYMmPerS = o.ppvYMmPerS;
    this.ppvZMmPerS = o.ppvZMmPerS;
    this.rmsVelocityMmPerS = o.rmsVelocityMmPerS;
    this.events = o.events;
    this.gaps = o.gaps;
    this.warmupSamples = o.warmupSamples;
    return this;
  }
}
