/**
 * The detector's per-sample loop over a block of samples (see detector.ts for what it computes, and
 * README.md for what it costs on XS).
 */
import { AXIS_BEFORE, AXIS_HALF, AXIS_LAST_ZC, AXIS_OPEN, AXIS_PPV2, AXIS_STRIDE } from "./event-tracker.js";
import { EventFlag } from "./records.js";
import { DOUBLE_TINY } from "./stalta.js";
import { type DetectorState, DISARMED, IDLE, POST, PushResult, TRIGGERED } from "./state.js";
import { closeEvent, emitSummary, rejectSample, trigger } from "./transitions.js";

/** Offsets of the y and z axes' state in EventTracker.axes (x is at 0). */
const AY = AXIS_STRIDE;
const AZ = 2 * AXIS_STRIDE;

/**
 * The per-sample loop. Written for XS's interpreter, where the meter (and the ESP32's time) follows the
 * number of byte codes run:
 * - every value the loop touches is a function-level `let` (a `const` inside the loop body, or a second
 *   `let` in the `for` head, costs extra byte codes per iteration on XS);
 * - the quiet path (no event, ratio below `on`) leaves at one comparison, `cf < gate`, where the gate is
 *   `on` while idle and -Infinity otherwise;
 * - the open event's state lives in locals (read only while an event is open), its per-axis part too;
 *   while triggered, the off sample is always the previous one, so it is written only when handed over;
 *   the cut and post-window ends are compared as loop counts (`iCut`, `iPostEnd`);
 * - a telemetry period with no samples yet has sStart = -Infinity, so the boundary test also starts it.
 * The rare paths (gap, period end, sub-block end, trigger transitions) hand the locals over to the state
 * and read them back.
 */
export function runBlock(s: DetectorState, tArr: Float64Array, xyz: Float64Array, count: number): number {
  const c = s.config;
  const hpA = c.highPassA;
  const leak = c.velocityLeak;
  const dt = s.dt;
  const maxGapMs = c.maxGapMs;
  const periodMs = c.summaryPeriodMs;
  const sbSamples = c.subBlockSamples;
  const on = c.onThreshold;
  const off = c.offThreshold;
  const classic = s.classic;
  const history = s.history;
  const tr = s.tracker;
  const ev = tr.ev;
  const za = tr.axes;
  const csta = s.csta;
  const icsta = s.icsta;
  const clta = s.clta;
  const iclta = s.iclta;
  /** Index of the sample before this block: sample i of the block (counted from 1) is base + i. */
  const base = s.index;
  /** base - 1: sample i's predecessor is before1 + i (exact integers, so (base + i - 1) + q is unchanged). */
  const before1 = base - 1;
  let inX = s.inX;
  let inY = s.inY;
  let inZ = s.inZ;
  let ax = s.ax;
  let ay = s.ay;
  let az = s.az;
  let vx = s.vx;
  let vy = s.vy;
  let vz = s.vz;
  let sta = s.sta;
  let lta = s.lta;
  let nRec = s.nRec;
  // The recursive STA/LTA past its warm-up: one test instead of three per sample.
  let warm = classic === null && nRec >= s.nlta;
  // s.lastT keeps the time before the block until the end: the rare paths read it from there.
  let lastT = s.lastT;
  let cf = s.ratio;
  let prevCf = cf;
  let state = s.state;
  let gate = state === IDLE ? on : Number.NEGATIVE_INFINITY;
  let stayLo = state === TRIGGERED ? off : Number.POSITIVE_INFINITY;
  let cax = s.cax;
  let cay = s.cay;
  let caz = s.caz;
  let cvx = s.cvx;
  let cvy = s.cvy;
  let cvz = s.cvz;
  let sbN = s.sbN;
  let sbStartT = s.sbStartT;
  /** Index of the telemetry period's first sample (the period holds base + i - sFirst + 1 samples). */
  let sFirst = base + 1 - s.sN;
  let sxx = s.sxx;
  let syy = s.syy;
  let szz = s.szz;
  let svv = s.svv;
  let sWarm = s.sWarm;
  let sStart = s.sStart;
  // The open event: squared PGA per axis, STA/LTA peak, the cut and post-window ends as loop counts, and
  // per axis (event-tracker.ts layout) squared PPV, last zero crossing, the crossing before the peak, half
  // period open, half period.
  let epx = 0;
  let epy = 0;
  let epz = 0;
  let epk = 0;
  let iCut = 0;
  let iPostEnd = 0;
  let evx = 0;
  let lastZcX = 0;
  let beforeX = 0;
  let openX = 0;
  let halfX = 0;
  let evy = 0;
  let lastZcY = 0;
  let beforeY = 0;
  let openY = 0;
  let halfY = 0;
  let evz = 0;
  let lastZcZ = 0;
  let beforeZ = 0;
  let openZ = 0;
  let halfZ = 0;
  if (state === TRIGGERED || state === POST) {
    epx = tr.pga2X;
    epy = tr.pga2Y;
    epz = tr.pga2Z;
    epk = ev.staLtaPeak;
    iCut = ev.onIndex + c.maxEventSamples - base;
    iPostEnd = ev.offIndex + c.postEventSamples - base;
    evx = za[AXIS_PPV2]!;
    lastZcX = za[AXIS_LAST_ZC]!;
    beforeX = za[AXIS_BEFORE]!;
    openX = za[AXIS_OPEN]!;
    halfX = za[AXIS_HALF]!;
    evy = za[AY + AXIS_PPV2]!;
    lastZcY = za[AY + AXIS_LAST_ZC]!;
    beforeY = za[AY + AXIS_BEFORE]!;
    openY = za[AY + AXIS_OPEN]!;
    halfY = za[AY + AXIS_HALF]!;
    evz = za[AZ + AXIS_PPV2]!;
    lastZcZ = za[AZ + AXIS_LAST_ZC]!;
    beforeZ = za[AZ + AXIS_BEFORE]!;
    openZ = za[AZ + AXIS_OPEN]!;
    halfZ = za[AZ + AXIS_HALF]!;
  }
  let result = 0;
  let bad = -1;
  // Per-sample scratch (function-level on purpose, see above).
  let i = 0;
  let k = 0;
  let t = 0;
  let d = 0;
  let x = 0;
  let y = 0;
  let z = 0;
  let chk = 0;
  let pvx = 0;
  let pvy = 0;
  let pvz = 0;
  let exx = 0;
  let eyy = 0;
  let ezz = 0;
  let wx = 0;
  let wy = 0;
  let wz = 0;
  let e = 0;
  let zc = 0;
  while (i < count) {
    t = tArr[i]!;
    x = xyz[k]!;
    y = xyz[k + 1]!;
    z = xyz[k + 2]!;
    // One check for all four: NaN or +-Infinity anywhere makes the sum's difference with itself NaN. For
    // finite times, t > lastT exactly when t - lastT > 0 (IEEE subtraction of unequal numbers is not 0).
    chk = t + x + y + z;
    d = t - lastT;
    if (chk - chk !== 0 || !(d > 0)) {
      bad = i;
      break;
    }
    i++;
    k += 3;
    if (d > maxGapMs) {
      // The first sample (lastT is -Infinity) or a gap: filters start afresh from this sample.
      if (base + i > 0) {
        // A gap: the open event closes, filters and STA/LTA restart (the LTA warms up again).
        if (state === TRIGGERED || state === POST) {
          if (state === TRIGGERED) {
            ev.offIndex = base + i - 1;
            ev.offMs = lastT;
          }
          tr.pga2X = Math.max(cax, epx);
          tr.pga2Y = Math.max(cay, epy);
          tr.pga2Z = Math.max(caz, epz);
          ev.staLtaPeak = epk;
          tr.saveAxis(0, evx, lastZcX, beforeX, openX, halfX);
          tr.saveAxis(1, evy, lastZcY, beforeY, openY, halfY);
          tr.saveAxis(2, evz, lastZcZ, beforeZ, openZ, halfZ);
          closeEvent(s, EventFlag.Gap, base + i - 1, lastT);
          result |= PushResult.EventFinal;
        }
        state = IDLE;
        gate = on;
        stayLo = Number.POSITIVE_INFINITY;
        history.gaps++;
        history.fold(cax, cay, caz, cvx, cvy, cvz);
        history.clearRing();
        cax = cay = caz = cvx = cvy = cvz = 0;
        sbN = 0;
        sta = 0;
        lta = DOUBLE_TINY;
        nRec = 0;
        warm = false;
        if (classic) classic.reset();
      }
      // Start the high-pass from this sample so that gravity does not enter as a step: with zero state
      // and the previous input equal to this one, the filter updates below give exactly 0. The sub-block
      // starts here too, unless a period boundary at this sample files the old one first (and restarts it).
      ax = ay = az = vx = vy = vz = 0;
      inX = x;
      inY = y;
      inZ = z;
      if (!(t - sStart >= periodMs) || base + i === sFirst) sbStartT = t;
    }
    lastT = t;
    // Telemetry period boundary: a period ends before the first sample at or past its length; an empty
    // period (sStart = -Infinity) starts at its first sample.
    if (t - sStart >= periodMs) {
      if (base + i === sFirst) sStart = t;
      else {
        if (state === TRIGGERED || state === POST) {
          if (cax > epx) epx = cax;
          if (cay > epy) epy = cay;
          if (caz > epz) epz = caz;
        }
        history.store(sbStartT, cax, cay, caz, cvx, cvy, cvz);
        cax = cay = caz = cvx = cvy = cvz = 0;
        sbN = 0;
        sbStartT = t;
        s.sN = base + i - sFirst;
        s.sxx = sxx;
        s.syy = syy;
        s.szz = szz;
        s.svv = svv;
        s.sWarm = sWarm;
        s.sStart = sStart;
        s.sEnd = i > 1 ? tArr[i - 2]! : s.lastT;
        emitSummary(s);
        sxx = syy = szz = svv = sWarm = 0;
        sFirst = base + i;
        sStart = t;
        result |= PushResult.Summary;
      }
    }
    // Previous velocities, for the zero crossings of an open event.
    pvx = vx;
    pvy = vy;
    pvz = vz;
    ax = hpA * (ax + x - inX);
    ay = hpA * (ay + y - inY);
    az = hpA * (az + z - inZ);
    vx = leak * vx + ax * dt;
    vy = leak * vy + ay * dt;
    vz = leak * vz + az * dt;
    inX = x;
    inY = y;
    inZ = z;
    exx = ax * ax;
    eyy = ay * ay;
    ezz = az * az;
    sxx += exx;
    syy += eyy;
    szz += ezz;
    // |v| peaks of the sub-block (as squares: comparing the squares already computed is the cheapest max
    // on XS; roots are taken only when a summary or an event reads them). They go before the trigger, as
    // an onset's look-back includes this sample; the |a| peaks go after it, as a close at this sample
    // leaves this sample out of the event's PGA.
    // The squares, and their sum into the period's mean-square velocity (telemetry vibRmsUmPerS), in one
    // expression: assignments used as operands cost XS no extra store / reload, so the RMS adds about two
    // byte codes per sample to what the squares cost alone (measured: bench vibration-path).
    svv += (wx = vx * vx) + (wy = vy * vy) + (wz = vz * vz);
    if (wx > cvx) cvx = wx;
    if (wy > cvy) cvy = wy;
    if (wz > cvz) cvz = wz;
    // Characteristic function: ObsPy recursive_sta_lta inline (stalta.ts has the same as a class).
    e = exx + eyy + ezz;
    if (warm) {
      sta = csta * e + icsta * sta;
      lta = clta * e + iclta * lta;
      cf = sta / lta;
    } else if (classic) {
      cf = classic.push(e);
      // Counted here rather than through the getter: a call per sample costs on XS.
      if (nRec < s.nlta - 1) {
        nRec++;
        sWarm++;
      }
    } else if (nRec === 0) {
      nRec = 1;
      cf = 0;
      sWarm++;
    } else {
      sta = csta * e + icsta * sta;
      lta = clta * e + iclta * lta;
      if (nRec < s.nlta) {
        nRec++;
        cf = 0;
        sWarm++;
      } else {
        cf = sta / lta;
        warm = true;
      }
    }
    // Trigger: idle below `on` is the quiet path; the event's own cases next; transitions hand over below.
    // biome-ignore lint/suspicious/noConfusingLabels: block labels give the loop its exits without flags
    sample: {
      if (cf < gate) break sample;
      // biome-ignore lint/suspicious/noConfusingLabels: see above
      transition: {
        // Triggered and staying on (at or above `off`, not cut): the common case inside an event. In any
        // other state stayLo is +Infinity and the states are told apart below.
        if (cf >= stayLo && i <= iCut) break transition;
        if (state === POST) {
          if (cf < on && i <= iPostEnd) break transition;
        } else if (state === TRIGGERED) {
          // Going off, or cut at maxEventMs: the last sample at or above `off` was the previous one.
          ev.offIndex = base + i - 1;
          ev.offMs = i > 1 ? tArr[i - 2]! : s.lastT;
        } else if (state === DISARMED) {
          // After a cut: re-arms when the ratio drops below `on`.
          if (cf < on) {
            state = IDLE;
            gate = on;
          }
          break sample;
        }
        // A transition. The open event's figures go to the tracker (its PGA without this sample: a close
        // here ends the window at the previous one); this sample's peaks, and the sub-block it completes,
        // are filed first, as an onset's look-back reads them.
        if (state !== IDLE) {
          tr.pga2X = Math.max(cax, epx);
          tr.pga2Y = Math.max(cay, epy);
          tr.pga2Z = Math.max(caz, epz);
          ev.staLtaPeak = epk;
          tr.saveAxis(0, evx, lastZcX, beforeX, openX, halfX);
          tr.saveAxis(1, evy, lastZcY, beforeY, openY, halfY);
          tr.saveAxis(2, evz, lastZcZ, beforeZ, openZ, halfZ);
        }
        if (exx > cax) cax = exx;
        if (eyy > cay) cay = eyy;
        if (ezz > caz) caz = ezz;
        if (++sbN === sbSamples) {
          history.store(sbStartT, cax, cay, caz, cvx, cvy, cvz);
          cax = cay = caz = cvx = cvy = cvz = 0;
          sbN = 0;
          sbStartT = t + c.periodMs;
        }
        // The end of the loop body counts the sample again.
        sbN--;
        s.cax = cax;
        s.cay = cay;
        s.caz = caz;
        s.cvx = cvx;
        s.cvy = cvy;
        s.cvz = cvz;
        s.sbStartT = sbStartT;
        s.state = state;
        result |= trigger(s, base + i, t, i > 1 ? tArr[i - 2]! : s.lastT, cf, prevCf);
        state = s.state;
        if (state !== TRIGGERED && state !== POST) {
          gate = state === IDLE ? on : Number.NEGATIVE_INFINITY;
          stayLo = Number.POSITIVE_INFINITY;
          exx = eyy = ezz = 0;
          break sample;
        }
        gate = Number.NEGATIVE_INFINITY;
        stayLo = state === TRIGGERED ? off : Number.POSITIVE_INFINITY;
        epx = tr.pga2X;
        epy = tr.pga2Y;
        epz = tr.pga2Z;
        // This sample is in the open event (already, after an onset: its look-back has it).
        if (exx > epx) epx = exx;
        if (eyy > epy) epy = eyy;
        if (ezz > epz) epz = ezz;
        exx = eyy = ezz = 0;
        epk = ev.staLtaPeak;
        iCut = ev.onIndex + c.maxEventSamples - base;
        iPostEnd = ev.offIndex + c.postEventSamples - base;
        evx = za[AXIS_PPV2]!;
        lastZcX = za[AXIS_LAST_ZC]!;
        beforeX = za[AXIS_BEFORE]!;
        openX = za[AXIS_OPEN]!;
        halfX = za[AXIS_HALF]!;
        evy = za[AY + AXIS_PPV2]!;
        lastZcY = za[AY + AXIS_LAST_ZC]!;
        beforeY = za[AY + AXIS_BEFORE]!;
        openY = za[AY + AXIS_OPEN]!;
        halfY = za[AY + AXIS_HALF]!;
        evz = za[AZ + AXIS_PPV2]!;
        lastZcZ = za[AZ + AXIS_LAST_ZC]!;
        beforeZ = za[AZ + AXIS_BEFORE]!;
        openZ = za[AZ + AXIS_OPEN]!;
        halfZ = za[AZ + AXIS_HALF]!;
      }
      // The open event: STA/LTA peak, and per axis the zero crossings (interpolated; the product test
      // screens out samples with no sign change before the exact test) and new PPV peaks that give the
      // half period around the peak (event-tracker.ts explains the bookkeeping). Its PGA is folded from
      // the sub-block peaks.
      prevCf = cf;
      if (cf > epk) epk = cf;
      if (pvx * vx <= 0 && pvx < 0 !== vx < 0) {
        zc = before1 + i + pvx / (pvx - vx);
        if (openX) {
          if (beforeX >= 0) {
            halfX = zc - beforeX;
            openX = 0;
          } else beforeX = zc;
        }
        lastZcX = zc;
      }
      if (wx > evx) {
        evx = wx;
        beforeX = lastZcX;
        openX = 1;
        halfX = -1;
      }
      if (pvy * vy <= 0 && pvy < 0 !== vy < 0) {
        zc = before1 + i + pvy / (pvy - vy);
        if (openY) {
          if (beforeY >= 0) {
            halfY = zc - beforeY;
            openY = 0;
          } else beforeY = zc;
        }
        lastZcY = zc;
      }
      if (wy > evy) {
        evy = wy;
        beforeY = lastZcY;
        openY = 1;
        halfY = -1;
      }
      if (pvz * vz <= 0 && pvz < 0 !== vz < 0) {
        zc = before1 + i + pvz / (pvz - vz);
        if (openZ) {
          if (beforeZ >= 0) {
            halfZ = zc - beforeZ;
            openZ = 0;
          } else beforeZ = zc;
        }
        lastZcZ = zc;
      }
      if (wz > evz) {
        evz = wz;
        beforeZ = lastZcZ;
        openZ = 1;
        halfZ = -1;
      }
    }
    // |a| peaks of the sub-block, and its end (an open event takes its peaks as its PGA).
    if (exx > cax) cax = exx;
    if (eyy > cay) cay = eyy;
    if (ezz > caz) caz = ezz;
    if (++sbN === sbSamples) {
      if (state === TRIGGERED || state === POST) {
        if (cax > epx) epx = cax;
        if (cay > epy) epy = cay;
        if (caz > epz) epz = caz;
      }
      history.store(sbStartT, cax, cay, caz, cvx, cvy, cvz);
      cax = cay = caz = cvx = cvy = cvz = 0;
      sbN = 0;
      sbStartT = t + c.periodMs;
    }
  }
  s.inX = inX;
  s.inY = inY;
  s.inZ = inZ;
  s.ax = ax;
  s.ay = ay;
  s.az = az;
  s.vx = vx;
  s.vy = vy;
  s.vz = vz;
  s.sta = sta;
  s.lta = lta;
  s.nRec = nRec;
  s.lastT = lastT;
  s.index = base + i;
  s.ratio = cf;
  s.state = state;
  s.cax = cax;
  s.cay = cay;
  s.caz = caz;
  s.cvx = cvx;
  s.cvy = cvy;
  s.cvz = cvz;
  s.sbN = sbN;
  s.sbStartT = sbStartT;
  s.sN = base + i - sFirst + 1;
  s.sEnd = lastT;
  s.sxx = sxx;
  s.syy = syy;
  s.szz = szz;
  s.svv = svv;
  s.sWarm = sWarm;
  s.sStart = sStart;
  if (state === TRIGGERED || state === POST) {
    if (state === TRIGGERED) {
      // The last sample taken was at or above `off` (else the state would have changed).
      ev.offIndex = base + i;
      ev.offMs = lastT;
    }
    tr.pga2X = epx;
    tr.pga2Y = epy;
    tr.pga2Z = epz;
    ev.staLtaPeak = epk;
    tr.saveAxis(0, evx, lastZcX, beforeX, openX, halfX);
    tr.saveAxis(1, evy, lastZcY, beforeY, openY, halfY);
    tr.saveAxis(2, evz, lastZcZ, beforeZ, openZ, halfZ);
  }
  if (bad >= 0) rejectSample(s, tArr[bad]!, xyz[3 * bad]!, xyz[3 * bad + 1]!, xyz[3 * bad + 2]!);
  return result;
}
