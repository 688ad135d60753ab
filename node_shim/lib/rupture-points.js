'use strict';
// The rupture point a part begins with (runtime.js begins the parts and keeps the part stack):
// for a callback the event loop calls, the part that handed it over or registered it, or the
// step before it in a promise chain, and start or post (decide/rupture.js); for an async function
// resuming after an await, the part it was suspended from, or the one that settled what it
// awaited. Reported to the recorder.

const decide = require('./decide/rupture');
const {
  kCtx, kRan, kRanCtx, kRanPart, kParent, kSettled, previousStep, calleeOf,
} = require('./async-context');

/** The rupture points of a runtime whose static tables (site-tables.js) are `tables`. */
function createRupturePoints({ recorder, tables }) {
  const {
    fnLoc, fnSite, fnLastSite, listenerPart, listenerSite, siteCallee, siteLoc, sitePart, siteInRequest,
  } = tables;

  /** Part `id` of function n begins from the event loop, on resource `res` (its context `ctx`). */
  function fromLoop(n, id, res, ctx, request) {
    const lp = listenerPart[n];
    if (lp !== undefined) {
      // A listener: every run is a start point of the part that registered it.
      const s = listenerSite[n];
      recorder.recordRupture('start', siteCallee[s], lp, id, siteLoc[s], request);
    } else {
      let s = fnSite[n];
      if (s < 0 && fnLastSite[n] !== undefined) s = fnLastSite[n];
      const listener = s >= 0 && decide.handedOutsideRequest(request, siteInRequest[s]);
      let caller = ctx !== undefined && !listener ? ctx.part : null;
      if (caller === null && s >= 0) caller = sitePart[s];
      // The part that handed it over, kept when the step before it in a promise chain differs.
      const handed = caller;
      if (!listener) caller = previousStep(res, ctx, caller);
      if (caller !== null && caller !== undefined) {
        const again = res[kRan] === n && res[kRanCtx] === ctx;
        const type = decide.loopRuptureType(listener, again, res);
        const callee = s >= 0 ? siteCallee[s] : calleeOf(res);
        const registrar = handed !== caller && handed !== undefined ? handed : null;
        recorder.recordRupture(
          type, callee, caller, id, s >= 0 ? siteLoc[s] : fnLoc[n], request, registrar,
        );
      }
      res[kRan] = n;
      res[kRanCtx] = ctx;
      res[kRanPart] = id;
    }
  }

  /** Part `id` resumes after the await of site s, suspended from part p, on resource `res`. */
  function afterAwait(p, s, id, res, request) {
    res[kRanPart] = id;
    // `await helper()`: the code after it continues from the helper's last part, the one that
    // settled the promise this part made by calling it.
    const awaited = res[kParent];
    if (awaited !== undefined && p !== null && p !== undefined) {
      const made = awaited[kCtx];
      const settled = awaited[kSettled];
      if (made !== undefined && made.part === p && settled !== undefined) p = settled;
    }
    if (p !== null && p !== undefined) {
      recorder.recordRupture('post', 'await', p, id, siteLoc[s], request);
    }
  }

  return { fromLoop, afterAwait };
}

module.exports = { createRupturePoints };
