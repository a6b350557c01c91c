/* Runs first, as a classic ES5 script: says so on the page when the module code cannot run at all. */
(function () {
  'use strict';
  var MODULE_WAIT_MS = 15000;
  var STARTED_EVENT = 'gan-demo:started'; // main.js sends it as soon as it runs
  var started = false;
  window.addEventListener(STARTED_EVENT, function () {
    started = true;
  });

  function show(title, message) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', function () {
        show(title, message);
      });
      return;
    }
    var box = document.getElementById('error');
    if (!box || !box.hidden) return;
    document.getElementById('error-title').textContent = title;
    document.getElementById('error-message').textContent = message;
    box.hidden = false;
    var main = document.querySelector('main');
    if (main) main.hidden = true;
    var status = document.getElementById('status');
    status.setAttribute('data-state', 'error');
    document.getElementById('status-text').textContent = title;
    document.body.setAttribute('data-state', 'error');
  }

  function unsupported(detail) {
    show(
      'Unsupported browser',
      'This browser cannot run the demo (' + detail + '). Open it in a current Chrome, Firefox, Safari or Edge.'
    );
  }

  function scriptsFailed(detail) {
    var advice =
      'Reload the page; if this persists, check that the server is still running and that the browser ' +
      'is a current Chrome, Firefox, Safari or Edge.';
    show('The page could not start', 'Its scripts did not run (' + detail + '). ' + advice);
  }

  // Errors before main.js takes over (a syntax it cannot parse, a script that failed) are shown too.
  function onEarlyError(event) {
    if (started) return;
    scriptsFailed(event.message || 'a script failed');
  }

  window.addEventListener('error', onEarlyError);
  document.addEventListener('DOMContentLoaded', function () {
    if (!('noModule' in document.createElement('script'))) {
      unsupported('no JavaScript modules');
      return;
    }
    // If main.js never starts, say so instead of spinning.
    setTimeout(function () {
      window.removeEventListener('error', onEarlyError);
      if (!started) scriptsFailed('main.js never started');
    }, MODULE_WAIT_MS);
  });
})();
