(min) => {
  const small = [];
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, label.btn';
  for (const el of document.querySelectorAll(selector)) {
    let box = el;
    if (el.matches('input[type=checkbox], input[type=radio]')) { box = el.closest('.form-check') || el; }
    else if (el.matches('input[type=file]') && el.closest('label')) { box = el.closest('label'); }
    else if (el.matches('.stretched-link')) { box = el.closest('tr, .card') || el; }
    const style = getComputedStyle(box);
    const rect = box.getBoundingClientRect();
    if (style.visibility === 'hidden' || rect.width === 0 || rect.height === 0) continue;
    if (el.closest('.visually-hidden') || el.closest('[hidden]')) continue;
    if (rect.height < min || rect.width < min) {
      small.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.name || el.id || '').trim().slice(0, 40)}" `
                 + `${Math.round(rect.width)}×${Math.round(rect.height)}`);
    }
  }
  return small;
}
