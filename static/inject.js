/* Loads a script by adding a <script> tag (which works from file:// too, where fetch does not): shared by
 * search-backend.js and mylist-page.js. Resolves once the script has run. */
self.sitegenInject = function (src) {
  "use strict";
  return new Promise(function (resolve, reject) {
    var s = document.createElement("script");
    s.src = src;
    s.async = true;
    s.onload = resolve;
    s.onerror = function () { reject(new Error("could not load " + src)); };
    document.head.appendChild(s);
  });
};
