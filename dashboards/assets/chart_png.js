/* Chart pictures: a chart's 下载图片 button (class chart-png) saves the chart as a PNG with its
   title and as-of date drawn above it (data-title), so a picture pasted into a report says what
   it shows and when. Plotly draws it (the map too) from the chart as it is on screen. */
(function () {
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('.chart-png');
    if (!button || !window.Plotly) { return; }
    var gd = document.querySelector('#' + button.dataset.graph + ' .js-plotly-plot');
    if (!gd) { return; }
    var box = gd.getBoundingClientRect();
    var extra = 56;  // room for the title line
    var margin = Object.assign({}, gd.layout.margin || {});
    margin.t = (margin.t || 10) + extra;
    var layout = Object.assign({}, gd.layout, {
      title: {text: button.dataset.title, x: 0.01, xanchor: 'left', y: 1, yanchor: 'top',
              pad: {t: 14}, font: {size: 16}},
      width: box.width, height: box.height + extra, margin: margin
    });
    window.Plotly.toImage({data: gd.data, layout: layout},
                          {format: 'png', width: box.width, height: box.height + extra, scale: 2})
      .then(function (url) {
        var link = document.createElement('a');
        link.href = url;
        link.download = button.dataset.filename;
        document.body.appendChild(link);
        link.click();
        link.remove();
        button.dataset.saved = button.dataset.title;  // what the picture says (for tests)
      });
  });
})();
