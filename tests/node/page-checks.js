// Injected into each issue by tests/test_email_checks.py (with axe-core beside it).
// contrast(): every element with text of its own, against the first opaque background
// behind it, as WCAG 2 defines contrast, with what WCAG asks of its size (4.5:1, or 3:1
// for large text: 24 px, or 18.66 px bold). layout(): facts about direction and headings.
window.digestChecks = {
  contrast() {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const p = m[1].split(',').map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const channel = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    const lum = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    const behind = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0.5) return c;
      }
      return dark ? { r: 18, g: 18, b: 18 } : { r: 255, g: 255, b: 255 };
    };
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
      const own = [...el.childNodes]
        .filter((n) => n.nodeType === 3 && n.textContent.trim())
        .map((n) => n.textContent)
        .join(' ')
        .trim();
      if (!own || !el.getClientRects().length) continue;
      const s = getComputedStyle(el);
      if (s.visibility === 'hidden' || Number(s.opacity) === 0) continue;
      const [a, b] = [lum(parse(s.color)), lum(behind(el))].sort((x, y) => y - x);
      const size = parseFloat(s.fontSize);
      const large = size >= 24 || (Number(s.fontWeight) >= 700 && size >= 18.66);
      out.push({
        text: own.slice(0, 50),
        ratio: Math.round(((a + 0.05) / (b + 0.05)) * 100) / 100,
        need: large ? 3 : 4.5,
        color: s.color,
        tag: el.tagName,
      });
    }
    return out;
  },
  layout() {
    const all = (selector) => [...document.querySelectorAll(selector)];
    return {
      scrollWidth: document.documentElement.scrollWidth,
      dir: document.documentElement.dir,
      h1: all('h1').length,
      h2: all('h2').length,
      h3: all('h3').length,
      align: all('p.excerpt, .letter p').slice(0, 5).map((p) => getComputedStyle(p).textAlign),
      direction: all('h3, .letter p').slice(0, 5).map((p) => getComputedStyle(p).direction),
    };
  },
  async axe() {
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  },
};
