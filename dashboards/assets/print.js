/* Printing: a browser does not print WebGL canvases (the district map), so before printing
   each chart is drawn as a picture (Plotly.toImage, which renders the map too) laid over it;
   after printing the pictures are removed. The print button waits for the pictures; the
   browser's own print command (Ctrl+P) starts them and prints what is ready. */
(function () {
  function freeze() {
    var plots = Array.prototype.slice.call(document.querySelectorAll('.js-plotly-plot'));
    return Promise.all(plots.map(function (gd) {
      if (!window.Plotly || gd.querySelector('img.print-canvas')) { return null; }
      var box = gd.getBoundingClientRect();
      return window.Plotly.toImage(gd, {format: 'png', width: box.width, height: box.height})
        .then(function (url) {
          var picture = document.createElement('img');
          picture.src = url;
          picture.className = 'print-canvas';
          picture.style.cssText = 'position:absolute;left:0;top:0;width:' + box.width +
            'px;height:' + box.height + 'px;z-index:10;background:#fff';
          if (getComputedStyle(gd).position === 'static') { gd.style.position = 'relative'; }
          gd.appendChild(picture);
          return new Promise(function (done) { picture.onload = done; });
        })
        .catch(function () { return null; });
    }));
  }
  function thaw() {
    document.querySelectorAll('img.print-canvas').forEach(function (p) { p.remove(); });
  }
  window.rehabPrint = function () { return freeze().then(function () { window.print(); }); };
  window.rehabFreezeForPrint = freeze;
  window.addEventListener('beforeprint', freeze);
  window.addEventListener('afterprint', thaw);
})();
