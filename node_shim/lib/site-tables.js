'use strict';
// The runtime's static tables (runtime.js): what it knows of every instrumented function (its id,
// where it is, where it was handed over) and of every core call site (the function handed there,
// the callee, where, and the part that last handed one there). The tables are plain arrays
// indexed by function number n (id `f${n}`) or site number s, read and written by the runtime's
// hooks directly; this module makes them and registers their static facts.

const { ArrayPrototypePush } = require('./primordials');

/** The tables of one runtime, and the functions that register functions and sites in them. */
function createSiteTables() {
  const fnId = []; // n -> 'fn'
  const fnLoc = []; // n -> {file, line, column}
  const fnSite = []; // n -> site where the function literal is an argument, or -1
  const fnLastSite = []; // n -> last site where the function was passed by name
  const listenerPart = []; // n -> part that registered it as a listener
  const listenerSite = []; // n -> site of that registration
  const siteFn = []; // s -> n
  const siteCallee = []; // s -> callee text ("fs.readFile", "await")
  const siteLoc = []; // s -> {file, line, column}
  const sitePart = []; // s -> the part that last passed a callback there
  const siteCtx = []; // s -> the part invocation (its context object) that last passed one there
  const siteInRequest = []; // s -> true once a callback was passed there while serving a request
  const handedOver = []; // n -> true while a call of n may be a dispatch (see dispatched)
  const plainCalls = []; // n -> calls of n found to come from the app's own code
  const libraryCalls = []; // n -> calls of n found to come from a library, none from the app

  /** Register the static facts of an instrumented function. */
  function defineFunction(n, loc) {
    fnId[n] = `f${n}`;
    fnLoc[n] = loc;
    if (fnSite[n] === undefined) fnSite[n] = -1;
  }

  /** Register a call site where function n is handed to `callee`; returns the site number. */
  function defineSite(n, callee, loc) {
    const s = siteFn.length;
    ArrayPrototypePush(siteFn, n);
    ArrayPrototypePush(siteCallee, callee);
    ArrayPrototypePush(siteLoc, loc);
    ArrayPrototypePush(sitePart, null);
    return s;
  }

  function markLiteralSite(n, s) {
    fnSite[n] = s;
  }

  const dynamicSites = []; // s -> [n -> site of function n handed at dynamic site s (LV)]

  /** The site of function n handed over at dynamic site s (a call's result), made once. */
  function dynamicSite(s, n) {
    let sites = dynamicSites[s];
    if (sites === undefined) sites = dynamicSites[s] = [];
    let site = sites[n];
    if (site === undefined) site = sites[n] = defineSite(n, siteCallee[s], siteLoc[s]);
    return site;
  }

  /** Whether function n was handed over at a call site (and the site), for Express registration. */
  function siteOfFunction(n) {
    const s = fnSite[n];
    return s !== undefined && s >= 0 ? siteLoc[s] : null;
  }

  return {
    fnId, fnLoc, fnSite, fnLastSite, listenerPart, listenerSite, siteFn, siteCallee, siteLoc,
    sitePart, siteCtx, siteInRequest, handedOver, plainCalls, libraryCalls,
    defineFunction, defineSite, markLiteralSite, siteOfFunction, dynamicSite,
  };
}

module.exports = { createSiteTables };
