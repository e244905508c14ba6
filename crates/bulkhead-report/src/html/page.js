(function () {
  'use strict';
  // Progressive enhancement: every table is complete without this script.
  // It reads the page only (no data of its own, nothing from input).
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  function key(row, i, numeric) {
    var cell = row.cells[i];
    if (!cell) { return numeric ? -Infinity : ''; }
    var k = cell.getAttribute('data-sort');
    if (numeric) {
      var n = parseFloat(k === null ? cell.textContent : k);
      return isNaN(n) ? -Infinity : n;
    }
    return (k === null ? cell.textContent : k).trim().toLowerCase();
  }

  each(document.querySelectorAll('table.sortable'), function (table) {
    var body = table.tBodies[0];
    if (!body || !table.tHead) { return; }
    var heads = table.tHead.rows[0].cells;
    each(heads, function (th, i) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      button.textContent = th.textContent;
      th.textContent = '';
      th.appendChild(button);
      button.addEventListener('click', function () {
        var numeric = th.getAttribute('data-kind') === 'number';
        var current = th.getAttribute('aria-sort');
        // Numbers sort highest first, text A to Z first; a second click
        // reverses.
        var descending = current ? current === 'ascending' : numeric;
        var rows = Array.prototype.slice.call(body.rows);
        rows.forEach(function (r, n) { r.setAttribute('data-order', String(n)); });
        rows.sort(function (a, b) {
          var x = key(a, i, numeric), y = key(b, i, numeric);
          var c = x < y ? -1 : x > y ? 1 : 0;
          if (descending) { c = -c; }
          return c || (+a.getAttribute('data-order') - +b.getAttribute('data-order'));
        });
        rows.forEach(function (r) { body.appendChild(r); });
        each(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      });
    });
  });

  each(document.querySelectorAll('table.filterable'), function (table) {
    var body = table.tBodies[0];
    if (!body || body.rows.length < 2) { return; }
    var bar = document.createElement('div');
    bar.className = 'filter';
    var text = document.createElement('input');
    text.type = 'search';
    text.placeholder = 'Filter rows';
    text.setAttribute('aria-label', 'Filter the rows of ' + (table.caption ? table.caption.textContent : 'this table'));
    bar.appendChild(text);
    var select = null;
    if (body.querySelector('tr[data-severity]')) {
      select = document.createElement('select');
      select.setAttribute('aria-label', 'Minimum severity');
      [['0', 'Any severity'], ['1', 'LOW and above'], ['2', 'MEDIUM and above'],
       ['3', 'HIGH and above'], ['4', 'CRITICAL']].forEach(function (o) {
        var opt = document.createElement('option');
        opt.value = o[0];
        opt.textContent = o[1];
        select.appendChild(opt);
      });
      bar.appendChild(select);
    }
    var shown = document.createElement('span');
    shown.className = 'shown';
    bar.appendChild(shown);
    var wrap = table.parentNode;
    wrap.parentNode.insertBefore(bar, wrap);
    function apply() {
      var q = text.value.trim().toLowerCase();
      var min = select ? +select.value : 0;
      var n = 0;
      each(body.rows, function (r) {
        var sev = r.getAttribute('data-severity');
        var ok = (!q || r.textContent.toLowerCase().indexOf(q) >= 0) &&
          (min === 0 || (sev !== null && +sev >= min));
        r.hidden = !ok;
        if (ok) { n += 1; }
      });
      shown.textContent = n + ' of ' + body.rows.length + ' rows shown';
    }
    text.addEventListener('input', apply);
    if (select) { select.addEventListener('change', apply); }
    apply();
  });

  each(document.querySelectorAll('figure.snippet'), function (fig) {
    var code = fig.querySelector('pre code');
    if (!code || !navigator.clipboard) { return; }
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = 'Copy';
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(code.textContent).then(function () {
        button.textContent = 'Copied';
      }, function () {
        button.textContent = 'Select and copy';
      });
    });
    var cap = fig.querySelector('figcaption');
    if (!cap) {
      cap = document.createElement('figcaption');
      fig.insertBefore(cap, fig.firstChild);
    }
    cap.appendChild(button);
  });
})();
