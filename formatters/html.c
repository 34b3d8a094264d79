/*
 * html.c - the HTML renderer: one self-contained page a person can open,
 * keep, mail around and browse.
 *
 * Layout: a header with the title and what was tested (SUT, branch, commit,
 * time); links to the sections; a filter bar (text filter, outcome chips with
 * counts); per section its facts (numbers as summary cards, the rest as a
 * definition list), its series as inline SVG line charts, its tables; the
 * notes; a footer; a detail panel for one test.
 *
 * Tables are not written as markup: their cells are embedded once, by
 * columns, each distinct value once (see data_table() and html_data()), and
 * the page's script draws only the rows in view (a page of them), so that a
 * session of 100,000 results stays small and opens at once. Sorting,
 * filtering, paging and the detail panel work on that data; their state is
 * kept in the URL fragment.
 *
 * Invariants:
 * - self-contained: inline CSS and SVG, one inline script; nothing is
 *   fetched. The Content-Security-Policy allows no source at all but inline
 *   style, data: images and the one script, by its SHA-256;
 * - every string from the document is escaped for where it goes: html_text()
 *   in markup (& < > " ' escaped, invalid UTF-8 as U+FFFD, control
 *   characters shown as escapes), json_str() in the embedded data (< > &
 *   and U+2028/2029 as \u escapes, so that nothing can end the element), or
 *   as UTF-8 inside the deflated binary form, whose base64 holds no markup;
 *   the script puts data in the page with textContent only;
 * - links are made only from http and https URLs; other schemes stay text;
 * - light and dark colour schemes follow prefers-color-scheme.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "insight/hash.h"
#include "insight/timeutil.h"
#include "renderers.h"
#include "text.h"

static const char css[] =
	":root{--bg:#f6f7f9;--fg:#1f2328;--muted:#59636e;--card:#fff;--border:#d8dee4;"
	"--head:#f6f8fa;--accent:#0969da;--accent-soft:rgba(9,105,218,.10);"
	"--pass:#1a7f37;--fail:#cf222e;--err:#bc4c00;--skip:#9a6700;--xfail:#0e7490;"
	"--xpass:#8250df;color-scheme:light dark}\n"
	"@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;"
	"--card:#151b23;--border:#3d444d;--head:#1c232c;--accent:#4493f8;"
	"--accent-soft:rgba(68,147,248,.14);--pass:#3fb950;--fail:#f85149;--err:#db6d28;"
	"--skip:#d29922;--xfail:#39c5cf;--xpass:#ab7df8}}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:var(--bg);color:var(--fg);"
	"font:14px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",sans-serif}\n"
	".wrap{max-width:1200px;margin:0 auto;padding:28px 24px 48px}\n"
	"header{margin-bottom:8px}\n"
	"header h1{font-size:24px;line-height:1.3;margin:0 0 2px;overflow-wrap:anywhere}\n"
	".context{color:var(--muted);margin:0;display:flex;flex-wrap:wrap;gap:4px 18px}\n"
	".context .k{font-size:12px;text-transform:uppercase;letter-spacing:.04em}\n"
	"nav.toc{display:flex;flex-wrap:wrap;gap:6px;margin:12px 0}\n"
	"nav.toc a{padding:2px 10px;border:1px solid var(--border);border-radius:14px;"
	"background:var(--card);color:var(--fg);text-decoration:none;font-size:13px}\n"
	"nav.toc a:hover{border-color:var(--accent)}\n"
	".bar{position:sticky;top:0;z-index:2;display:none;flex-wrap:wrap;align-items:center;gap:8px;"
	"padding:8px 0;background:var(--bg);border-bottom:1px solid var(--border)}\n"
	"body.js .bar{display:flex}\n"
	".bar input{flex:1 1 260px;font:inherit;padding:5px 10px;color:var(--fg);background:var(--card);"
	"border:1px solid var(--border);border-radius:6px}\n"
	".chips{display:flex;flex-wrap:wrap;gap:6px}\n"
	".chip{font:inherit;font-size:13px;cursor:pointer;display:inline-flex;gap:6px;align-items:center;"
	"padding:2px 10px;border-radius:14px;border:1px solid var(--border);background:var(--card);"
	"color:var(--fg)}\n"
	".chip b{font-variant-numeric:tabular-nums}\n"
	".chip[aria-pressed=true]{outline:2px solid var(--accent);background:var(--accent-soft)}\n"
	".chip::before{content:\"\";width:8px;height:8px;border-radius:50%;background:var(--muted)}\n"
	".chip.o-passed::before{background:var(--pass)}.chip.o-failed::before{background:var(--fail)}"
	".chip.o-error::before{background:var(--err)}.chip.o-skipped::before{background:var(--skip)}"
	".chip.o-xfailed::before{background:var(--xfail)}.chip.o-xpassed::before{background:var(--xpass)}"
	".chip.o-flaky::before{background:var(--xpass)}\n"
	".pager{display:flex;gap:8px;align-items:center;color:var(--muted);font-size:12px;margin:4px 0 12px}\n"
	".pager button{font:inherit;padding:1px 8px;cursor:pointer}\n"
	"a{color:var(--accent)}a.name{color:var(--fg);text-decoration:none}"
	"a.name:hover{color:var(--accent);text-decoration:underline}\n"
	"aside.detail{position:fixed;top:0;right:0;bottom:0;width:min(640px,100%);overflow:auto;z-index:3;"
	"background:var(--card);border-left:1px solid var(--border);padding:16px 20px;"
	"box-shadow:-8px 0 24px rgba(0,0,0,.15)}\n"
	"aside.detail h2{margin:0 32px 12px 0;font-size:16px;overflow-wrap:anywhere}\n"
	"aside.detail h4{margin:12px 0 0;color:var(--muted)}\n"
	"aside.detail .close{position:absolute;top:10px;right:12px;font-size:20px;line-height:1;"
	"cursor:pointer;background:none;border:0;color:var(--fg)}\n"
	"h2{font-size:18px;margin:36px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--border)}\n"
	"h3{font-size:15px;margin:24px 0 8px}\n"
	"dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 20px;margin:16px 0;"
	"padding:12px 16px;background:var(--card);border:1px solid var(--border);border-radius:8px}\n"
	"dl.facts dt{color:var(--muted)}\n"
	"dl.facts dd{margin:0;overflow-wrap:anywhere}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px;"
	"margin:16px 0}\n"
	".card{background:var(--card);border:1px solid var(--border);border-top:3px solid var(--accent);"
	"border-radius:8px;padding:10px 14px}\n"
	".card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em;"
	"overflow-wrap:anywhere}\n"
	".card .value{font-size:26px;font-weight:600;line-height:1.3;font-variant-numeric:tabular-nums;"
	"overflow-wrap:anywhere}\n"
	".card.c-passed{border-top-color:var(--pass)}.card.c-failed{border-top-color:var(--fail)}"
	".card.c-error{border-top-color:var(--err)}.card.c-skipped{border-top-color:var(--skip)}"
	".card.c-xfailed{border-top-color:var(--xfail)}.card.c-xpassed{border-top-color:var(--xpass)}\n"
	".table-wrap{overflow-x:auto;background:var(--card);border:1px solid var(--border);"
	"border-radius:8px;margin:8px 0}\n"
	"table.data{border-collapse:collapse;width:100%}\n"
	"table.data th,table.data td{padding:7px 12px;text-align:left;vertical-align:top;"
	"border-bottom:1px solid var(--border)}\n"
	"table.data tbody:last-child tr:last-child td{border-bottom:0}\n"
	"table.data th{font-size:12px;font-weight:600;color:var(--muted);background:var(--head);"
	"white-space:nowrap}\n"
	"table.data td{overflow-wrap:anywhere}\n"
	"table.data .text{min-width:12em}\n"
	"table.data .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"table.data .nowrap{white-space:nowrap}\n"
	"table.data tbody tr:hover td{background:var(--accent-soft)}\n"
	"table.data tr.has-detail td{border-bottom:0}\n"
	"table.data tr.detail td{padding-top:0}\n"
	"table.data tr.detail:hover td{background:none}\n"
	"th.sort{cursor:pointer;user-select:none}th.sort:hover{color:var(--fg)}\n"
	"th[aria-sort=ascending]::after{content:\" \\25B2\"}"
	"th[aria-sort=descending]::after{content:\" \\25BC\"}\n"
	".null{color:var(--muted)}\n"
	".badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:600;"
	"line-height:20px;color:#fff;background:var(--muted);white-space:nowrap}\n"
	".o-passed{background:var(--pass)}.o-failed{background:var(--fail)}.o-error{background:var(--err)}"
	".o-skipped{background:var(--skip)}.o-xfailed{background:var(--xfail)}"
	".o-xpassed{background:var(--xpass)}.o-flaky{background:var(--xpass)}\n"
	"@media (prefers-color-scheme:dark){.badge{color:#0d1117}}\n"
	"code,pre{font-family:ui-monospace,SFMono-Regular,\"SF Mono\",Menlo,Consolas,"
	"\"DejaVu Sans Mono\",monospace}\n"
	"code{font-size:12px}\n"
	"details summary{cursor:pointer;color:var(--accent);font-size:13px}\n"
	"pre{margin:6px 0 4px;padding:10px 12px;background:var(--bg);border:1px solid var(--border);"
	"border-radius:6px;overflow:auto;max-height:420px;font-size:12px;line-height:1.45;"
	"white-space:pre}\n"
	".spark{vertical-align:middle}.spark polyline{fill:none;stroke:var(--accent);stroke-width:1.5}\n"
	"figure.chart{margin:16px 0;background:var(--card);border:1px solid var(--border);"
	"border-radius:8px;padding:12px 16px 8px}\n"
	"figure.chart figcaption{font-weight:600;margin-bottom:4px}\n"
	"figure.chart svg{display:block;width:100%;height:auto}\n"
	".chart .grid{stroke:var(--border);stroke-width:1}\n"
	".chart .axis{stroke:var(--muted);stroke-width:1}\n"
	".chart text{fill:var(--muted);font-size:11px}\n"
	".chart .line{fill:none;stroke:var(--accent);stroke-width:2;stroke-linejoin:round}\n"
	".chart .area{fill:var(--accent-soft);stroke:none}\n"
	".chart .pt{fill:var(--card);stroke:var(--accent);stroke-width:2}\n"
	".chart .pt:hover{fill:var(--accent)}\n"
	".chart .bar.b-passed{fill:var(--pass)}.chart .bar.b-failed{fill:var(--fail)}"
	".chart .bar.b-other{fill:var(--skip)}.chart .bar:hover{opacity:.8}\n"
	".chart text.in{fill:#fff;font-weight:600}\n"
	".more,.empty{color:var(--muted);font-style:italic;margin:8px 0}\n"
	".muted{color:var(--muted);font-size:12px;margin:4px 0}\n"
	".strip{display:inline-flex;gap:1px;vertical-align:middle}\n"
	".strip .sq{display:inline-block;width:5px;height:14px;border-radius:1px;background:var(--muted)}\n"
	".strip.big{gap:2px;margin:6px 0 2px}.strip.big .sq{width:14px;height:22px;border-radius:2px}\n"
	".strip .sq.o-none{background:none;border:1px dashed var(--border)}\n"
	".strip .o-passed{background:var(--pass)}.strip .o-failed{background:var(--fail)}"
	".strip .o-error{background:var(--err)}.strip .o-skipped{background:var(--skip)}"
	".strip .o-xfailed{background:var(--xfail)}.strip .o-xpassed{background:var(--xpass)}\n"
	".strip a.sq:hover{outline:2px solid var(--accent)}\n"
	"p.since{margin:8px 0}a.ref{text-decoration:none}a.ref:hover{text-decoration:underline}\n"
	"table.data tbody tr.hl td{background:var(--accent-soft)}\n"
	".scope{display:inline-flex;align-items:center;gap:4px;font-size:13px;padding:2px 4px 2px 10px;"
	"border-radius:14px;border:1px solid var(--accent);background:var(--accent-soft)}\n"
	".scope[hidden]{display:none}.scope .clear{font:inherit;border:0;background:none;cursor:pointer;color:var(--fg)}\n"
	".notes{margin:28px 0}\n"
	".note{margin:8px 0;padding:10px 14px;border-radius:6px;background:var(--card);"
	"border:1px solid var(--border);border-left:4px solid var(--border)}\n"
	".note.warning{border-left-color:var(--skip)}\n"
	".note.verdict{border-left-color:var(--accent);font-weight:600}\n"
	"footer{color:var(--muted);font-size:12px;margin-top:40px;padding-top:12px;"
	"border-top:1px solid var(--border)}\n";

/*
 * The page's one script. It reads the embedded data (#insight-data, or
 * #insight-packed for a large report) and renders each table on demand: only the rows of the current page, built
 * with textContent (never markup from the data). One filter bar (a text
 * filter over names and messages, outcome chips with counts) applies to
 * every table; headers sort; a test name opens its detail panel; the state
 * lives in the URL fragment (q=, filter=, sort=[-]column, page.TABLE=,
 * test=), so a link can point at a filtered view. Its SHA-256 is in the
 * Content-Security-Policy: no other script can run.
 */
static const char script[] =
	"(function(){\n"
	"'use strict';\n"
	"/*\n"
	" * A column of a table: each row's code (c[i]) into the column's distinct\n"
	" * values (d). The values are JSON values, or in the binary container\n"
	" * (see html_data()) strings kept as UTF-8 in a heap, each decoded when\n"
	" * first read: code 0 is null, code k the heap's string k-1.\n"
	" */\n"
	"var utf8=window.TextDecoder?new TextDecoder():null;\n"
	"function view(buf,base,b,n){var T=b[0]===1?Uint8Array:b[0]===2?Uint16Array:Uint32Array;\n"
	" return new T(buf.buffer,buf.byteOffset+base+b[1],n);}\n"
	"function Col(C,n,buf,base){this.c=C.b?view(buf,base,C.b,n):C.c||null;this.heap=!!C.h;\n"
	" if(C.h){this.off=view(buf,base,[4,C.h[1]],C.h[0]+1);this.bytes=buf.subarray(base+C.h[2]);\n"
	"  this.pfx=view(buf,base,[2,C.h[3]],C.h[0]);this.d=new Array(C.h[0]+1);this.d[0]=null;}else this.d=C.d;}\n"
	"/* Heap strings are front-coded from every 16th (see heap_write()): string j is the\n"
	"   first pfx[j] characters of string j-1, then its own bytes. */\n"
	"Col.prototype.val=function(k){var v=this.d[k],d=this.d;\n"
	" if(v===undefined&&this.heap&&k>0){for(var j=(k-1)-(k-1)%16;j<k;j++)if(d[j+1]===undefined)\n"
	"  d[j+1]=(j%16?d[j].slice(0,this.pfx[j]):'')+utf8.decode(this.bytes.subarray(this.off[j],this.off[j+1]));v=d[k];}\n"
	" return v===undefined?null:v;};\n"
	"/* A heap without codes holds a value per row, in order. */\n"
	"Col.prototype.code=function(i){return this.c?this.c[i]:i+1;};\n"
	"Col.prototype.get=function(i){return this.val(this.code(i));};\n"
	"/* A cell, and a whole row (for the rows drawn and the detail panel). */\n"
	"function val(T,i,c){return T.k[c].get(i);}\n"
	"function row(T,i){return T.k.map(function(k){return k.get(i);});}\n"
	"function rangeOf(T){var a=new Array(T.n);for(var i=0;i<T.n;i++)a[i]=i;return a;}\n"
	"/* The row indices whose code in column k is one of the values `want` asks for. */\n"
	"function pick(rows,k,want){var ok=new Uint8Array(k.d.length);\n"
	" for(var x=0;x<ok.length;x++)ok[x]=want(k.val(x))?1:0;\n"
	" return rows.filter(function(i){return ok[k.code(i)];});}\n"
	"function main(D,buf,base){\n"
	"D.tables.forEach(function(T){T.k=T.data.map(function(C){return new Col(C,T.n,buf,base);});});\n"
	"mark('data');\n"
	"var PAGE=100,ORDER=['failed','error','flaky','xpassed','xfailed','skipped','passed'];\n"
	"var NAMES={nodeid:1,test:1,name:1,test_name:1};\n"
	"var HIDE={failing_since:1,failing_since_started:1,failing_since_commit:1};\n"
	"var OUT={p:'passed',f:'failed',e:'error',s:'skipped',x:'xfailed',X:'xpassed'};\n"
	"var RS=null,RSL=[];\n"
	"var st,tables=[],main=null,chipsEl=document.getElementById('chips'),qEl=document.getElementById('q');\n"
	"var panel=document.getElementById('detail');\n"
	"function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;\n"
	" if(text!==undefined&&text!==null)e.textContent=text;return e;}\n"
	"function dur(s){if(s<0)return '\\u2013';var ms=s*1000;if(ms<0.95)return ms<0.05?'0ms':ms.toFixed(1)+'ms';\n"
	" if(ms<999.5)return ms.toFixed(0)+'ms';if(s<59.995)return s.toFixed(2)+'s';var r=Math.round(s);\n"
	" if(r<3600)return Math.floor(r/60)+'m '+('0'+r%60).slice(-2)+'s';\n"
	" return Math.floor(r/3600)+'h '+('0'+Math.floor(r%3600/60)).slice(-2)+'m';}\n"
	"function p2(n){return ('0'+n).slice(-2);}\n"
	"function time(ms){var d=new Date(ms);return d.getFullYear()+'-'+p2(d.getMonth()+1)+'-'+p2(d.getDate())+\n"
	" ' '+p2(d.getHours())+':'+p2(d.getMinutes());}\n"
	"function fmt(v,t){if(v===null||v===undefined)return null;switch(t){\n"
	" case 'p':return (v*100).toFixed(1)+'%';\n"
	" case 'x':var a=Math.abs(v*100);return (v>=0?'+':'\\u2212')+a.toFixed(a>0&&a<1?2:1)+' points';\n"
	" case 'D':return (v<0?'\\u2212':'+')+dur(Math.abs(v));\n"
	" case 'd':return dur(v);case 'm':return time(v);case 'b':return v?'yes':'no';\n"
	" case 'r':return String(+v.toPrecision(6));case 'k':return v.join(' ');\n"
	" default:return String(v);}}\n"
	"function weblink(s){return typeof s==='string'&&/^https?:\\/\\/[^\\s]+$/i.test(s);}\n"
	"function spark(v){var ns='http://www.w3.org/2000/svg',w=96,h=20,lo=Infinity,hi=-Infinity,pts=[];\n"
	" v.forEach(function(y){if(y!==null){lo=Math.min(lo,y);hi=Math.max(hi,y);}});\n"
	" var s=document.createElementNS(ns,'svg');s.setAttribute('class','spark');s.setAttribute('width',w);\n"
	" s.setAttribute('height',h);s.setAttribute('viewBox','0 0 '+w+' '+h);\n"
	" v.forEach(function(y,i){if(y===null)return;var x=v.length>1?2+(w-4)*i/(v.length-1):w/2;\n"
	"  pts.push(x.toFixed(1)+','+(hi>lo?h-2-(h-4)*(y-lo)/(hi-lo):h/2).toFixed(1));});\n"
	" if(pts.length===1)pts.push(pts[0]);var pl=document.createElementNS(ns,'polyline');\n"
	" pl.setAttribute('points',pts.join(' '));s.appendChild(pl);return s;}\n"
	"/* A cell's content as DOM nodes: text only, never markup. */\n"
	"/* A link within the page to a session (its row in a table of sessions) or a commit (its sessions). */\n"
	"function ref(k,v){var a=el('a','ref');a.href='#'+k+'='+encodeURIComponent(v);a.setAttribute('data-'+k,v);\n"
	" a.title=(k==='commit'?'commit ':'session ')+v;a.appendChild(el('code',null,v.slice(0,k==='commit'?10:12)));return a;}\n"
	"function iscommit(c){return !!c&&c.slice(-6)==='commit';}\n"
	"/* A test's recent runs, one square each, oldest first: the letters of the results' recent column. */\n"
	"function strip(v,big){var s=el('span',big?'strip big':'strip'),n=v.length;s.setAttribute('data-runs',v);\n"
	" for(var i=0;i<n;i++){var ch=v.charAt(i),o=OUT[ch],k=RS?RS.T.n-n+i:-1,id=RS&&k>=0?val(RS.T,RS.T.n-1-k,RS.sc):null,e;\n"
	"  if(big&&id!==null){e=el('a','sq o-'+(o||'none'));e.href='#session='+encodeURIComponent(id);e.setAttribute('data-session',id);}\n"
	"  else e=el('span','sq o-'+(o||'none'));\n"
	"  e.title=(id!==null?RSL[RS.T.n-1-k]+' \\u00b7 ':'')+(o||'not run');s.appendChild(e);}\n"
	" return s;}\n"
	"function cell(td,v,t,c){var s=fmt(v,t);\n"
	" if(s===null){td.appendChild(el('span','null','\\u2013'));return;}\n"
	" if(c==='recent'&&typeof v==='string'){td.appendChild(strip(v,false));return;}\n"
	" if(t==='s'){td.appendChild(ref(iscommit(c)?'commit':'session',String(v)));return;}\n"
	" if(t==='o'){td.appendChild(el('span','badge o-'+(ORDER.indexOf(v)>=0?v:'other'),s));return;}\n"
	" if(t==='s'){td.appendChild(el('code',null,s));return;}\n"
	" if(t==='k'){td.appendChild(spark(v));return;}\n"
	" if(t==='l'){td.appendChild(el('pre',null,s));return;}\n"
	" if(weblink(v)){var a=el('a',null,s);a.href=v;a.rel='noopener noreferrer';td.appendChild(a);return;}\n"
	" td.textContent=s;}\n"
	"function num(t){return 'iprdmbkxD'.indexOf(t)>=0;}\n"
	"function readHash(){var h=location.hash.slice(1);\n"
	" st={q:'',f:[],sort:'',desc:false,page:{},test:'',session:'',commit:''};\n"
	" h.split('&').forEach(function(kv){var i=kv.indexOf('=');if(i<0)return;\n"
	"  var k=kv.slice(0,i),v;try{v=decodeURIComponent(kv.slice(i+1));}catch(e){return;}\n"
	"  if(k==='q')st.q=v;else if(k==='filter')st.f=v?v.split(','):[];\n"
	"  else if(k==='sort'){st.desc=v.charAt(0)==='-';st.sort=st.desc?v.slice(1):v;}\n"
	"  else if(k==='test')st.test=v;else if(k==='session')st.session=v;else if(k==='commit')st.commit=v;\n"
	"  else if(k.slice(0,5)==='page.')st.page[k.slice(5)]=Math.max(0,+v|0);});}\n"
	"function writeHash(){var p=[];if(st.q)p.push('q='+encodeURIComponent(st.q));\n"
	" if(st.f.length)p.push('filter='+st.f.map(encodeURIComponent).join(','));\n"
	" if(st.sort)p.push('sort='+(st.desc?'-':'')+encodeURIComponent(st.sort));\n"
	" Object.keys(st.page).forEach(function(k){if(st.page[k])p.push('page.'+encodeURIComponent(k)+'='+st.page[k]);});\n"
	" if(st.test)p.push('test='+encodeURIComponent(st.test));\n"
	" if(st.session)p.push('session='+encodeURIComponent(st.session));\n"
	" if(st.commit)p.push('commit='+encodeURIComponent(st.commit));\n"
	" var h=p.length?'#'+p.join('&'):' ';\n"
	" try{history.replaceState(null,'',h===' '?location.pathname+location.search:h);}catch(e){location.hash=h;}}\n"
	"function Table(box,T){var self=this,types=T.cols.map(function(c){return c[2];});\n"
	" this.T=T;this.box=box;this.types=types;this.oc=types.indexOf('o');this.nc=-1;this.search=null;\n"
	" T.cols.forEach(function(c,i){if(self.nc<0&&NAMES[c[0]]&&c[2]==='t')self.nc=i;});\n"
	" if(this.nc<0)this.nc=types.indexOf('t');\n"
	" this.shown=[];T.cols.forEach(function(c,i){if(c[2]!=='l'&&!HIDE[c[0]])self.shown.push(i);});\n"
	" /* a table of sessions: its session and commit columns */\n"
	" this.sc=-1;this.cc=-1;T.cols.forEach(function(c,i){if((c[0]==='id'||c[0]==='session')&&c[2]==='s')self.sc=i;\n"
	"  if(c[0]==='commit')self.cc=i;});\n"
	" var wrap=el('div','table-wrap'),tb=el('table','data'),tr=el('tr');\n"
	" this.ths=this.shown.map(function(i){var th=el('th',num(types[i])?'num sort':'sort',T.cols[i][1]);\n"
	"  th.scope='col';th.tabIndex=0;th.setAttribute('data-col',T.cols[i][0]);\n"
	"  function go(){if(st.sort===T.cols[i][0])st.desc=!st.desc;else{st.sort=T.cols[i][0];st.desc=false;}\n"
	"   update();}\n"
	"  th.addEventListener('click',go);\n"
	"  th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();go();}});\n"
	"  tr.appendChild(th);return th;});\n"
	" var th=el('thead');th.appendChild(tr);tb.appendChild(th);this.tbody=el('tbody');tb.appendChild(this.tbody);\n"
	" wrap.appendChild(tb);box.appendChild(wrap);this.pager=el('div','pager');box.appendChild(this.pager);}\n"
	"/* A search looks in the names, messages and other short texts. */\n"
	"Table.prototype.searched=function(j){var c=this.T.cols[j],t=c[2];\n"
	" return (t==='t'||t==='s'||t==='o')&&c[0]!=='recent';};\n"
	"/* Column j's distinct values lower-cased, up to `max` more of them (all:\n"
	"   Infinity); true once all are. Made ahead of the first search while the\n"
	"   page is idle (see warm), or by that search for what is left. */\n"
	"Table.prototype.lower=function(j,max){if(!this.low){this.low={};this.lown={};}\n"
	" var k=this.T.k[j],low=this.low[j]||(this.low[j]=[]),x=this.lown[j]||0,end=Math.min(k.d.length,x+max);\n"
	" for(;x<end;x++){var v=k.val(x);low[x]=v===null?null:String(v).toLowerCase();}\n"
	" this.lown[j]=x;return x>=k.d.length;};\n"
	"/* The rows whose name, message or other short text holds q: each column's\n"
	"   distinct values are tested once, then each row by its codes. */\n"
	"Table.prototype.match=function(q){var T=this.T,self=this,hit=[];\n"
	" T.cols.forEach(function(c,j){if(!self.searched(j))return;\n"
	"  var k=T.k[j];self.lower(j,Infinity);var low=self.low[j];\n"
	"  var m=new Uint8Array(low.length);for(var x=0;x<low.length;x++)m[x]=low[x]!==null&&low[x].indexOf(q)>=0?1:0;\n"
	"  hit.push(k,m);});\n"
	" var out=[];for(var i=0;i<T.n;i++)for(var h=0;h<hit.length;h+=2)if(hit[h+1][hit[h].code(i)]){out.push(i);break;}\n"
	" return out;};\n"
	"Table.prototype.render=function(){var T=this.T,self=this,rows,oc=this.oc;\n"
	" if(st.q)rows=this.match(st.q.toLowerCase());else rows=rangeOf(T);\n"
	" if(st.f.length&&oc>=0)rows=pick(rows,T.k[oc],function(o){return st.f.indexOf(o)>=0;});\n"
	" var cc=this.cc,ss=this.sc;\n"
	" if(st.commit&&cc>=0)rows=pick(rows,T.k[cc],function(v){return String(v||'').indexOf(st.commit)===0;});\n"
	" var sc=-1;T.cols.forEach(function(c,i){if(c[0]===st.sort)sc=i;});\n"
	" this.ths.forEach(function(th,k){var i=self.shown[k];\n"
	"  if(i===sc)th.setAttribute('aria-sort',st.desc?'descending':'ascending');else th.removeAttribute('aria-sort');});\n"
	" if(sc>=0){var n=num(this.types[sc]),d=st.desc?-1:1;\n"
	"  var sk=T.k[sc];rows.sort(function(a,b){var x=sk.get(a),y=sk.get(b);\n"
	"   if(Array.isArray(x))x=x[x.length-1];if(Array.isArray(y))y=y[y.length-1];\n"
	"   if(x===null||x===undefined)return y===null||y===undefined?a-b:1;if(y===null||y===undefined)return -1;\n"
	"   if(n)return x===y?a-b:(x<y?-d:d);x=String(x);y=String(y);return x===y?a-b:(x<y?-d:d);});}\n"
	" var id=T.id,pages=Math.max(1,Math.ceil(rows.length/PAGE)),pg=Math.min(st.page[id]||0,pages-1);\n"
	" /* the page that holds the session asked for */\n"
	" if(st.session&&ss>=0)for(var k=0;k<rows.length;k++)if(val(T,rows[k],ss)===st.session){pg=Math.floor(k/PAGE);break;}\n"
	" var frag=document.createDocumentFragment();\n"
	" rows.slice(pg*PAGE,pg*PAGE+PAGE).forEach(function(ri){var r=row(T,ri),tr=el('tr');\n"
	"  if((st.session&&ss>=0&&r[ss]===st.session)||(st.commit&&cc>=0&&String(r[cc]||'').indexOf(st.commit)===0))tr.className='hl';\n"
	"  self.shown.forEach(function(i){var td=el('td',num(self.types[i])?'num':null);\n"
	"   if(i===self.nc&&r[i]!=null){var a=el('a','name',r[i]);a.href='#test='+encodeURIComponent(r[i]);\n"
	"    a.addEventListener('click',function(e){e.preventDefault();st.test=r[i];writeHash();showDetail();});\n"
	"    td.appendChild(a);}else cell(td,r[i],self.types[i],T.cols[i][0]);\n"
	"   tr.appendChild(td);});\n"
	"  frag.appendChild(tr);});\n"
	" this.tbody.textContent='';this.tbody.appendChild(frag);\n"
	" this.box.setAttribute('data-rows',rows.length);this.pager.textContent='';\n"
	" var info=rows.length?'rows '+(pg*PAGE+1)+'\\u2013'+Math.min(rows.length,pg*PAGE+PAGE)+' of '+rows.length:\n"
	"  'no rows match';\n"
	" if(rows.length!==T.n)info+=' (filtered from '+T.n+')';\n"
	" if(st.commit&&cc>=0)info+=' on commit '+st.commit.slice(0,10);\n"
	" this.pager.appendChild(el('span',null,info));\n"
	" if(pages>1)[['\\u2039 Previous',pg-1],['Next \\u203a',pg+1]].forEach(function(b){\n"
	"  var btn=el('button',null,b[0]);btn.disabled=b[1]<0||b[1]>=pages;\n"
	"  btn.addEventListener('click',function(){st.page[id]=b[1];update();});self.pager.appendChild(btn);});};\n"
	"/* The outcome counts of the main table, by code once, then by value. */\n"
	"var counts=null;\n"
	"function count(){var k=main.T.k[main.oc],by=new Uint32Array(k.d.length),c={};\n"
	" for(var i=0;i<main.T.n;i++)by[k.code(i)]++;\n"
	" for(var x=0;x<by.length;x++){var o=k.val(x);if(by[x]&&o!==null)c[o]=(c[o]||0)+by[x];}return c;}\n"
	"function chips(){if(!main){chipsEl.hidden=true;return;}var c=counts||(counts=count()),list=[];\n"
	" ORDER.forEach(function(o){if(c[o])list.push(o);});\n"
	" Object.keys(c).sort().forEach(function(o){if(list.indexOf(o)<0)list.push(o);});\n"
	" chipsEl.textContent='';list.forEach(function(o){var b=el('button','chip o-'+(ORDER.indexOf(o)>=0?o:'other'));\n"
	"  b.setAttribute('data-outcome',o);b.setAttribute('aria-pressed',st.f.indexOf(o)>=0?'true':'false');\n"
	"  b.appendChild(el('span',null,o));b.appendChild(el('b',null,String(c[o])));\n"
	"  b.addEventListener('click',function(){var k=st.f.indexOf(o);if(k>=0)st.f.splice(k,1);else st.f.push(o);\n"
	"   st.page={};update();});chipsEl.appendChild(b);});}\n"
	"/* In a test's panel: its recent runs as a strip, and where its current failure began. */\n"
	"function history(sec,T,r){var ix={};T.cols.forEach(function(c,i){ix[c[0]]=i;});\n"
	" var v=ix.recent>=0?r[ix.recent]:null,since=ix.failing_since>=0?r[ix.failing_since]:null;\n"
	" if(typeof v==='string'&&v){var h=el('div','runs');h.appendChild(el('h4',null,'Recent runs'));h.appendChild(strip(v,true));\n"
	"  var c={};v.split('').forEach(function(ch){var o=OUT[ch]||'not run';c[o]=(c[o]||0)+1;});\n"
	"  h.appendChild(el('p','muted','The last '+v.length+' session'+(v.length>1?'s':'')+' of this SUT, oldest first: '+\n"
	"   Object.keys(c).map(function(o){return c[o]+' '+o;}).join(', ')+'.'));sec.appendChild(h);}\n"
	" if(since==null)return;var p=el('p','since'),cur=RS&&RS.T.n?val(RS.T,0,RS.sc):null;\n"
	" if(since===cur){p.appendChild(el('b',null,'First failed in this session.'));sec.appendChild(p);return;}\n"
	" p.appendChild(el('b',null,'Failing since '));p.appendChild(ref('session',since));\n"
	" var w=r[ix.failing_since_started],cm=r[ix.failing_since_commit];\n"
	" if(w!=null)p.appendChild(document.createTextNode(' of '+time(w)));\n"
	" if(cm){p.appendChild(document.createTextNode(', commit '));p.appendChild(ref('commit',cm));}\n"
	" var n=0;if(RS)for(var i=0;i<RS.T.n;i++)if(val(RS.T,i,RS.sc)===since)n=i+1;\n"
	" p.appendChild(document.createTextNode(n?' ('+n+' sessions, this one included).':'.'));sec.appendChild(p);}\n"
	"function showDetail(){var name=st.test;panel.hidden=!name;if(!name)return;var body=document.getElementById('detail-body');\n"
	" body.textContent='';document.getElementById('detail-title').textContent=name;var found=0;\n"
	" tables.forEach(function(t){if(t.nc<0)return;var T=t.T;pick(rangeOf(T),T.k[t.nc],function(v){return v===name;}).forEach(function(i){var r=row(T,i);found++;\n"
	"  var sec=el('section');if(T.title)sec.appendChild(el('h4',null,T.title));var dl=el('dl','facts');\n"
	"  history(sec,T,r);\n"
	"  T.cols.forEach(function(c,i){if(i===t.nc||r[i]===null||r[i]===undefined||r[i]===''||HIDE[c[0]]||c[0]==='recent')return;\n"
	"   dl.appendChild(el('dt',null,c[1]));var dd=el('dd');cell(dd,r[i],c[2],c[0]);dl.appendChild(dd);});\n"
	"  sec.appendChild(dl);body.appendChild(sec);});});\n"
	" if(!found)body.appendChild(el('p','empty','This test is not in this report.'));\n"
	" panel.focus();}\n"
	"function scope(){var b=document.getElementById('scope'),k=st.commit?'commit':st.session?'session':'';\n"
	" b.hidden=!k;b.textContent='';if(!k)return;b.appendChild(el('span',null,k+' '+st[k].slice(0,k==='commit'?10:12)+' '));\n"
	" var x=el('button','clear','\\u00d7');x.setAttribute('aria-label','Clear');x.addEventListener('click',function(){\n"
	"  st.session='';st.commit='';update();});b.appendChild(x);}\n"
	"function update(){writeHash();if(qEl.value!==st.q)qEl.value=st.q;chips();scope();\n"
	" tables.forEach(function(t){t.render();});showDetail();}\n"
	"/* After a link to a session or a commit: its first row in view. */\n"
	"function reveal(){var r=document.querySelector('tr.hl');if(r&&r.scrollIntoView)r.scrollIntoView({block:'center'});}\n"
	"readHash();\n"
	"D.tables.forEach(function(T,i){var box=document.getElementById('t-'+i);if(!box)return;\n"
	" var t=new Table(box,T);tables.push(t);if(t.oc>=0&&(!main||T.n>main.T.n))main=t;\n"
	" if(T.id==='recent_sessions'&&t.sc>=0){RS=t;var ic=T.cols.map(function(c){return c[0];});\n"
	"  RSL=rangeOf(T).map(function(i){var x=row(T,i),m=x[ic.indexOf('started')],c=x[ic.indexOf('commit')];\n"
	"   return (m!=null?time(m):x[t.sc].slice(0,12))+(c?' \\u00b7 '+String(c).slice(0,10):'');});}});\n"
	"document.body.classList.add('js');\n"
	"var timer;qEl.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(function(){\n"
	" st.q=qEl.value;st.page={};update();},120);});\n"
	"document.getElementById('detail-close').addEventListener('click',function(){st.test='';update();});\n"
	"document.addEventListener('keydown',function(e){if(e.key==='Escape'&&st.test){st.test='';update();}});\n"
	"window.addEventListener('hashchange',function(){readHash();update();reveal();});\n"
	"document.addEventListener('click',function(e){var a=e.target&&e.target.closest?e.target.closest('a[data-session],a[data-commit]'):null;\n"
	" if(!a)return;e.preventDefault();st.session=a.getAttribute('data-session')||'';st.commit=a.getAttribute('data-commit')||'';\n"
	" st.test='';st.page={};update();reveal();});\n"
	"document.querySelectorAll('nav.toc a').forEach(function(a){a.addEventListener('click',function(e){\n"
	" var t=document.getElementById(a.getAttribute('data-target'));if(t){e.preventDefault();t.scrollIntoView();}});});\n"
	"update();if(st.session||st.commit)reveal();\n"
	"document.body.setAttribute('data-ready','1');\n"
	"mark('ready');\n"
	"warm();\n"
	"/* The texts a search reads, lower-cased while the page is idle, a few\n"
	"   thousand values at a time (at least one such piece a call, and a call\n"
	"   at least every 100 ms), so that the first search of a large report\n"
	"   does not wait for them; data-search-ready says when all are. */\n"
	"function warm(){var jobs=[];tables.forEach(function(t){t.T.cols.forEach(function(c,j){\n"
	"  if(t.searched(j))jobs.push([t,j]);});});\n"
	" var idle=window.requestIdleCallback?function(f){requestIdleCallback(f,{timeout:100});}:\n"
	"  function(f){setTimeout(function(){var t0=Date.now();\n"
	"   f({timeRemaining:function(){return Math.max(0,10-(Date.now()-t0));}});},20);};\n"
	" function step(d){if(jobs.length)do{if(jobs[0][0].lower(jobs[0][1],2000))jobs.shift();}\n"
	"  while(jobs.length&&d.timeRemaining()>1);\n"
	"  if(jobs.length)idle(step);else{document.body.setAttribute('data-search-ready','1');mark('search-ready');}}\n"
	" idle(step);}\n"
	"}\n"
	"/*\n"
	" * The data: JSON text (a small report), or a binary container deflated and\n"
	" * in base64 (a large one): a 32-bit little-endian length, that many bytes of\n"
	" * JSON (the tables, their columns' codes and heaps by offset), then the\n"
	" * codes and heaps from the next multiple of four. Each step is marked for\n"
	" * the Performance timeline (insight-base64, -inflate, -data, -ready).\n"
	" */\n"
	"function mark(n){if(window.performance&&performance.mark)performance.mark('insight-'+n);}\n"
	"mark('start');var packed=document.getElementById('insight-packed');\n"
	"if(!packed){main(JSON.parse(document.getElementById('insight-data').textContent),null,0);return;}\n"
	"function fail(){document.querySelectorAll('div.tbl').forEach(function(b){var p=document.createElement('p');\n"
	" p.className='empty';p.textContent='This browser cannot read the compressed data of this report.';\n"
	" b.textContent='';b.appendChild(p);});document.body.setAttribute('data-ready','1');}\n"
	"try{var s=atob(packed.textContent),u=new Uint8Array(s.length);for(var i=0;i<s.length;i++)u[i]=s.charCodeAt(i);\n"
	" s=null;mark('base64');\n"
	" new Response(new Blob([u]).stream().pipeThrough(new DecompressionStream('deflate'))).arrayBuffer()\n"
	"  .then(function(a){mark('inflate');var buf=new Uint8Array(a),h=new DataView(a).getUint32(0,true),\n"
	"   D=JSON.parse(utf8.decode(buf.subarray(4,4+h)));main(D,buf,(4+h+3)&~3);},fail);}catch(e){fail();}\n"
	"})();\n";

/* Flags of html_text. */
enum { H_NL_BR = 1, H_PRE = 2 };

/*
 * Append text escaped for HTML content and attribute values alike. Control
 * characters are shown as escapes; with H_NL_BR line feeds become <br>, with
 * H_PRE line feeds and tabs are kept (inside <pre>).
 */
static void html_text(ins_buf *b, const char *s, unsigned flags)
{
	ins_buf e = INS_BUF_INIT;

	if (!s)
		return;
	if (flags & H_PRE)
		ins_text_escape(&e, s, strlen(s), INS_ESC_KEEP_NL | INS_ESC_EXPAND_TAB);
	else
		ins_text_escape(&e, s, strlen(s), (flags & H_NL_BR) ? INS_ESC_KEEP_NL : 0);
	for (size_t i = 0; i < e.len; i++) {
		switch (e.ptr[i]) {
		case '&': ins_buf_puts(b, "&amp;"); break;
		case '<': ins_buf_puts(b, "&lt;"); break;
		case '>': ins_buf_puts(b, "&gt;"); break;
		case '"': ins_buf_puts(b, "&quot;"); break;
		case '\'': ins_buf_puts(b, "&#39;"); break;
		case '\n':
			ins_buf_puts(b, (flags & H_NL_BR) ? "<br>" : "\n");
			break;
		default: ins_buf_putc(b, e.ptr[i]);
		}
	}
	ins_buf_release(&e);
}

static int is_outcome_name(const char *s)
{
	static const char *const names[] = { "passed", "failed", "error", "skipped", "xfailed",
					     "xpassed" };

	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return 1;
	return 0;
}

/* A series' y value as people read it; a chart's gap says so in words. */
static void y_text(ins_buf *b, ins_vtype type, double y)
{
	ins_series_value_text(b, type, y, "no data");
}

/* A small inline SVG sparkline for a SPARK cell; gaps break the line. */
static void spark_svg(ins_buf *b, const double *v, size_t n)
{
	double lo = INFINITY, hi = -INFINITY;
	const double w = 96, h = 20;
	int open = 0;

	for (size_t i = 0; i < n; i++) {
		if (isfinite(v[i])) {
			lo = v[i] < lo ? v[i] : lo;
			hi = v[i] > hi ? v[i] : hi;
		}
	}
	ins_buf_printf(b, "<svg class=\"spark\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
		       "role=\"img\" aria-label=\"", w, h, w, h);
	for (size_t i = 0; i < n; i++) {
		if (i)
			ins_buf_putc(b, ' ');
		if (isfinite(v[i]))
			ins_number_text(b, v[i]);
		else
			ins_buf_putc(b, '-');
	}
	ins_buf_puts(b, "\">");
	for (size_t i = 0; i < n; i++) {
		double x, y;

		if (!isfinite(v[i])) {
			if (open)
				ins_buf_puts(b, "\"/>");
			open = 0;
			continue;
		}
		x = n > 1 ? 2 + (w - 4) * (double)i / (double)(n - 1) : w / 2;
		y = hi > lo ? h - 2 - (h - 4) * (v[i] - lo) / (hi - lo) : h / 2;
		if (!open) {
			ins_buf_puts(b, "<polyline points=\"");
			open = 1;
		} else {
			ins_buf_putc(b, ' ');
		}
		ins_buf_printf(b, "%.1f,%.1f", x, y);
		/* A lone point still needs two to be drawn. */
		if (i + 1 >= n || !isfinite(v[i + 1]))
			ins_buf_printf(b, " %.1f,%.1f", x + 0.5, y);
	}
	if (open)
		ins_buf_puts(b, "\"/>");
	ins_buf_puts(b, "</svg>");
}

/*
 * Only http and https URLs become links; any other scheme (javascript:,
 * data:, file:) stays text. No whitespace or control character inside.
 */
static int is_web_url(const char *s)
{
	size_t n;

	if (!s)
		return 0;
	if (!strncasecmp(s, "http://", 7))
		n = 7;
	else if (!strncasecmp(s, "https://", 8))
		n = 8;
	else
		return 0;
	if (!s[n])
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7F)
			return 0;
	return 1;
}

/* A cell's content (inside its <td>, <dd> or card). */
static void cell_html(ins_buf *b, const ins_value *v)
{
	ins_buf t = INS_BUF_INIT;

	switch (v->type) {
	case INS_V_NULL:
		ins_buf_puts(b, "<span class=\"null\">–</span>");
		break;
	case INS_V_OUTCOME:
		ins_buf_puts(b, "<span class=\"badge");
		if (is_outcome_name(v->s)) {
			ins_buf_puts(b, " o-");
			ins_buf_puts(b, v->s);
		}
		ins_buf_puts(b, "\">");
		html_text(b, v->s, 0);
		ins_buf_puts(b, "</span>");
		break;
	case INS_V_ID:
		ins_buf_puts(b, "<code>");
		html_text(b, v->s, 0);
		ins_buf_puts(b, "</code>");
		break;
	case INS_V_TIME:
		ins_time_format_iso(&t, v->i);
		ins_buf_printf(b, "<time datetime=\"%s\">", t.ptr);
		ins_buf_clear(&t);
		ins_time_format_local(&t, v->i, 0);
		html_text(b, t.ptr, 0);
		ins_buf_puts(b, "</time>");
		break;
	case INS_V_SPARK:
		spark_svg(b, v->spark, v->nspark);
		break;
	case INS_V_LONGTEXT:
		ins_buf_puts(b, "<pre>");
		html_text(b, v->s, H_PRE);
		ins_buf_puts(b, "</pre>");
		break;
	case INS_V_TEXT:
		if (is_web_url(v->s)) {
			ins_buf_puts(b, "<a href=\"");
			html_text(b, v->s, 0);
			ins_buf_puts(b, "\" rel=\"noopener noreferrer\">");
			html_text(b, v->s, 0);
			ins_buf_puts(b, "</a>");
			break;
		}
		/* fall through */
	default:
		ins_value_text(&t, v, 0);
		html_text(b, t.ptr, H_NL_BR);
	}
	ins_buf_release(&t);
}

/*
 * Embedded data: the document's tables as one compact JSON object,
 * {"tables":[{"id","title","cols":[[id,label,type]...],"rows":[[...]...]}]},
 * read by the script; a row's trailing null cells are left out. Strings are
 * written so that nothing in them can end the <script> element or open a
 * comment in it: '<', '>' and '&' as \u escapes, and U+2028/2029 too, which
 * break older JavaScript parsers.
 */
static void json_str(ins_buf *b, const char *s)
{
	ins_json_string(b, s, 1);
}

/* A number in JSON: shortest form that reads back the same, null when not finite. */
static void json_num(ins_buf *b, double d)
{
	char tmp[40];

	if (!isfinite(d)) {
		ins_buf_puts(b, "null");
		return;
	}
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	ins_buf_puts(b, tmp);
}

/* The one-letter type codes the script knows. */
static char type_code(ins_vtype t)
{
	switch (t) {
	case INS_V_NULL: return 'n';
	case INS_V_TEXT: return 't';
	case INS_V_LONGTEXT: return 'l';
	case INS_V_INT: return 'i';
	case INS_V_REAL: return 'r';
	case INS_V_PERCENT: return 'p';
	case INS_V_DURATION: return 'd';
	case INS_V_TIME: return 'm';
	case INS_V_BOOL: return 'b';
	case INS_V_OUTCOME: return 'o';
	case INS_V_ID: return 's';
	case INS_V_POINTS: return 'x';
	case INS_V_DURATION_DELTA: return 'D';
	case INS_V_SPARK: return 'k';
	}
	return 't';
}

static void json_value(ins_buf *b, const ins_value *v)
{
	switch (v->type) {
	case INS_V_NULL:
		ins_buf_puts(b, "null");
		break;
	case INS_V_INT:
	case INS_V_TIME:
		ins_buf_printf(b, "%lld", (long long)v->i);
		break;
	case INS_V_BOOL:
		ins_buf_puts(b, v->i ? "true" : "false");
		break;
	case INS_V_REAL:
	case INS_V_PERCENT:
	case INS_V_POINTS:
	case INS_V_DURATION:
	case INS_V_DURATION_DELTA:
		json_num(b, v->d);
		break;
	case INS_V_SPARK:
		ins_buf_putc(b, '[');
		for (size_t i = 0; i < v->nspark; i++) {
			if (i)
				ins_buf_putc(b, ',');
			json_num(b, v->spark[i]);
		}
		ins_buf_putc(b, ']');
		break;
	default:
		if (v->s)
			json_str(b, v->s);
		else
			ins_buf_puts(b, "null");
	}
}

/*
 * The embedded data is sent by columns, and a column as its distinct
 * values, each once, and per row the index ("code") of its value among
 * them: the 100,000 results of a session have a handful of outcomes and
 * categories, a few hundred durations, and their messages repeat. A value
 * is known by its bytes: its JSON text, or in a string heap (the binary
 * form, see html_data()) its UTF-8, which the page decodes only when it
 * shows or searches it.
 */
typedef struct {
	ins_buf keys;    /* the values, one after the other */
	size_t *off;     /* value k is keys[off[k] .. off[k + 1]) */
	size_t n, off_alloc;
	uint32_t *slot;  /* open addressing over the values: index + 1, 0 when free */
	size_t cap;
	uint32_t *codes; /* one per row */
	int heap;        /* strings as UTF-8; code 0 is null, code k + 1 value k */
} col_dict;

/* The tables the page's script draws, in the order of their boxes (t-0, t-1, ...). */
typedef struct {
	const ins_table **t;
	size_t *rows, n, alloc, ralloc;
} html_tables;

static size_t key_hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 29));
}

/* The slot that holds these bytes, or the free slot where they belong. */
static size_t dict_slot(const col_dict *d, const char *p, size_t len)
{
	size_t i = key_hash(p, len) & (d->cap - 1);

	for (; d->slot[i]; i = (i + 1) & (d->cap - 1)) {
		size_t k = d->slot[i] - 1;

		if (d->off[k + 1] - d->off[k] == len && !memcmp(d->keys.ptr + d->off[k], p, len))
			break;
	}
	return i;
}

/*
 * The value just written at the end of d->keys, from `start` on: the index
 * of the same value seen before (the new copy is dropped), or a new index.
 */
static uint32_t dict_add(col_dict *d, size_t start)
{
	size_t len = d->keys.len - start, i;

	if (2 * (d->n + 1) > d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		free(d->slot);
		d->slot = ins_xcalloc(d->cap, sizeof(*d->slot));
		for (size_t k = 0; k < d->n; k++)
			d->slot[dict_slot(d, d->keys.ptr + d->off[k], d->off[k + 1] - d->off[k])] =
				(uint32_t)k + 1;
	}
	i = dict_slot(d, d->keys.ptr + start, len);
	if (d->slot[i]) {
		ins_buf_truncate(&d->keys, start);
		return d->slot[i] - 1;
	}
	d->off = ins_xgrow(d->off, &d->off_alloc, d->n + 2, sizeof(*d->off));
	d->off[d->n + 1] = d->keys.len;
	d->slot[i] = (uint32_t)d->n + 1;
	return (uint32_t)d->n++;
}

static int is_string_type(ins_vtype t)
{
	return t == INS_V_TEXT || t == INS_V_LONGTEXT || t == INS_V_OUTCOME || t == INS_V_ID;
}

/* s as valid UTF-8: an invalid byte becomes U+FFFD, as in json_str(). */
static void utf8_clean(ins_buf *b, const char *s)
{
	size_t len = strlen(s), i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = ins_utf8_decode(s + i, len - i, &cp);

		if (cp == INS_UTF8_REPLACEMENT && n == 1)
			ins_utf8_put(b, cp);
		else
			ins_buf_put(b, s + i, n);
		i += n;
	}
}

/*
 * Column c of the first `rows` rows of t. With `heap`, a column whose
 * cells are all strings or null is kept as a string heap; any other as
 * JSON values.
 */
static void dict_column(col_dict *d, const ins_table *t, size_t c, size_t rows, int heap)
{
	memset(d, 0, sizeof(*d));
	ins_buf_init(&d->keys);
	d->off = ins_xgrow(NULL, &d->off_alloc, 1, sizeof(*d->off));
	d->off[0] = 0;
	d->codes = ins_xmalloc((rows ? rows : 1) * sizeof(*d->codes));
	d->heap = heap && is_string_type(t->cols[c].type);
	for (size_t r = 0; d->heap && r < rows; r++) {
		const ins_value *v = ins_table_cell(t, r, c);

		if (v->type != INS_V_NULL && !(is_string_type(v->type) && v->s))
			d->heap = 0;
	}
	for (size_t r = 0; r < rows; r++) {
		const ins_value *v = ins_table_cell(t, r, c);
		size_t start = d->keys.len;

		if (!d->heap) {
			json_value(&d->keys, v);
			d->codes[r] = dict_add(d, start);
		} else if (v->type == INS_V_NULL || !v->s) {
			d->codes[r] = 0;
		} else {
			utf8_clean(&d->keys, v->s);
			d->codes[r] = dict_add(d, start) + 1;
		}
	}
}

static void dict_free(col_dict *d)
{
	ins_buf_release(&d->keys);
	free(d->off);
	free(d->slot);
	free(d->codes);
}

static void put_uint(ins_buf *b, uint32_t v)
{
	char tmp[12];
	size_t n = sizeof(tmp);

	do
		tmp[--n] = (char)('0' + v % 10);
	while (v /= 10);
	ins_buf_put(b, tmp + n, sizeof(tmp) - n);
}

/* `w` bytes of v, little-endian, the byte order of every browser's typed arrays. */
static void put_le(ins_buf *b, uint32_t v, int w)
{
	for (int i = 0; i < w; i++)
		ins_buf_putc(b, (char)(v >> (8 * i) & 0xff));
}

/* Zero bytes up to the next multiple of four, where a typed array may start. */
static void bin_align(ins_buf *b)
{
	while (b->len % 4)
		ins_buf_putc(b, 0);
}

/*
 * A string heap, front-coded: each string without the part it shares with
 * the one before (test names are sorted; tracebacks begin alike), but for
 * every HEAP_RESTART-th, so that the page decodes any one of them from at
 * most that many. Only ASCII is shared, so that the page's string lengths
 * are the same as the byte counts. In `bin`: the count + 1 offsets of the
 * rest of each string (32-bit), those bytes, and the length of each shared
 * part (16-bit); in `b`, "h":[count, offsets, bytes, shared lengths].
 */
#define HEAP_RESTART 16

static void heap_write(ins_buf *b, ins_buf *bin, const col_dict *d)
{
	ins_buf rest = INS_BUF_INIT;
	uint16_t *shared = ins_xmalloc((d->n ? d->n : 1) * sizeof(*shared));
	size_t o, ob;

	bin_align(bin);
	o = bin->len;
	for (size_t k = 0; k < d->n; k++) {
		const char *cur = d->keys.ptr + d->off[k], *prev = cur;
		size_t len = d->off[k + 1] - d->off[k], p = 0, plen = 0;

		if (k % HEAP_RESTART) {
			prev = d->keys.ptr + d->off[k - 1];
			plen = d->off[k] - d->off[k - 1];
		}
		while (p < len && p < plen && p < UINT16_MAX && cur[p] == prev[p] &&
		       !((unsigned char)cur[p] & 0x80))
			p++;
		shared[k] = (uint16_t)p;
		put_le(bin, (uint32_t)rest.len, 4);
		ins_buf_put(&rest, cur + p, len - p);
	}
	put_le(bin, (uint32_t)rest.len, 4);
	ob = bin->len;
	ins_buf_put(bin, rest.ptr, rest.len);
	bin_align(bin);
	ins_buf_printf(b, "\"h\":[%zu,%zu,%zu,%zu]", d->n, o, ob, bin->len);
	for (size_t k = 0; k < d->n; k++)
		put_le(bin, shared[k], 2);
	free(shared);
	ins_buf_release(&rest);
}

/*
 * A table of the embedded data: {"id","title","cols":[[id,label,type]...],
 * "n":ROWS,"data":[COLUMN...]}. As JSON text (bin NULL) a column is
 * {"d":[values],"c":[codes]}. In the binary form its codes are in `bin`
 * ("b":[bytes per code, offset]) and a string column is a heap there
 * (see heap_write()), without codes when it holds each row's value in order.
 */
static void data_table(ins_buf *b, const ins_table *t, size_t rows, ins_buf *bin)
{
	int first = 1;

	ins_buf_puts(b, "{\"id\":");
	json_str(b, t->id ? t->id : "");
	ins_buf_puts(b, ",\"title\":");
	if (t->title)
		json_str(b, t->title);
	else
		ins_buf_puts(b, "null");
	/* An optional column no row shown fills is left out, as people see it elsewhere. */
	ins_buf_puts(b, ",\"cols\":[");
	for (size_t c = 0; c < t->ncols; c++) {
		if (ins_table_column_unused(t, c, rows))
			continue;
		ins_buf_puts(b, first ? "[" : ",[");
		first = 0;
		json_str(b, t->cols[c].id ? t->cols[c].id : "");
		ins_buf_putc(b, ',');
		json_str(b, t->cols[c].label ? t->cols[c].label : "");
		ins_buf_printf(b, ",\"%c\"]", type_code(t->cols[c].type));
	}
	ins_buf_printf(b, "],\"n\":%zu,\"data\":[", rows);
	first = 1;
	for (size_t c = 0; c < t->ncols; c++) {
		col_dict d;
		uint32_t top;
		size_t r;
		int w, ident;

		if (ins_table_column_unused(t, c, rows))
			continue;
		dict_column(&d, t, c, rows, bin != NULL);
		ins_buf_puts(b, first ? "{" : ",{");
		first = 0;
		if (d.heap) {
			heap_write(b, bin, &d);
		} else {
			ins_buf_puts(b, "\"d\":[");
			for (size_t k = 0; k < d.n; k++) {
				if (k)
					ins_buf_putc(b, ',');
				ins_buf_put(b, d.keys.ptr + d.off[k], d.off[k + 1] - d.off[k]);
			}
			ins_buf_putc(b, ']');
		}
		if (!bin) {
			ins_buf_puts(b, ",\"c\":[");
			for (r = 0; r < rows; r++) {
				if (r)
					ins_buf_putc(b, ',');
				put_uint(b, d.codes[r]);
			}
			ins_buf_puts(b, "]}");
			dict_free(&d);
			continue;
		}
		/* A heap of a value per row, in order (test names), needs no codes. */
		for (ident = d.heap && d.n == rows, r = 0; ident && r < rows; r++)
			ident = d.codes[r] == r + 1;
		if (ident) {
			ins_buf_putc(b, '}');
			dict_free(&d);
			continue;
		}
		top = (uint32_t)d.n;
		w = top < 256 ? 1 : top < 65536 ? 2 : 4;
		bin_align(bin);
		ins_buf_printf(b, ",\"b\":[%d,%zu]}", w, bin->len);
		for (r = 0; r < rows; r++)
			put_le(bin, d.codes[r], w);
		dict_free(&d);
	}
	ins_buf_puts(b, "]}");
}

/* A "nice" step (1, 2 or 5 times a power of ten) near range / n. */
static double nice_step(double range, int n)
{
	double raw = range / n, mag = pow(10, floor(log10(raw))), f = raw / mag;

	if (f <= 1)
		return mag;
	if (f <= 2)
		return 2 * mag;
	if (f <= 5)
		return 5 * mag;
	return 10 * mag;
}

/* What a point is called on an axis: its label (a date), else its x. */
static const char *point_label(const ins_point *p)
{
	return p->label ? p->label : p->x;
}

/*
 * The duration distribution of a table's rows: one bar per range of
 * durations (edges 1, 2, 5 times a power of ten, then minutes), empty
 * ranges at either end left out; each bar stacked by outcome (passed,
 * failed or error, the rest), with a tooltip; the edges label the x axis.
 */
static void html_durations(ins_buf *b, const ins_table *t, size_t rows, int oc, int dc)
{
	static const double edge[] = { 0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
				       1, 2, 5, 10, 20, 60, 120, 300, 600, 1800, 3600 };
	static const char *const name[] = { "0", "1ms", "2ms", "5ms", "10ms", "20ms", "50ms",
					    "100ms", "200ms", "500ms", "1s", "2s", "5s", "10s",
					    "20s", "1m", "2m", "5m", "10m", "30m", "1h" };
	enum { NB = sizeof(edge) / sizeof(edge[0]), NK = 3 };
	static const char *const kcls[NK] = { "passed", "failed", "other" };
	size_t cnt[NB][NK] = { { 0 } }, total[NB] = { 0 }, lo = NB, hi = 0, max = 0, all = 0;
	const double W = 1100, H = 230, L = 64, R = 24, T = 14, B = 40;
	double pw = W - L - R, ph = H - T - B, step, top, bw;

	for (size_t r = 0; r < rows; r++) {
		const ins_value *d = ins_table_cell(t, r, (size_t)dc), *o = ins_table_cell(t, r, (size_t)oc);
		size_t k = NB - 1, kind;

		if (d->type != INS_V_DURATION || !isfinite(d->d) || d->d < 0)
			continue;
		while (k > 0 && d->d < edge[k])
			k--;
		kind = o->s && !strcmp(o->s, "passed") ? 0 :
		       o->s && (!strcmp(o->s, "failed") || !strcmp(o->s, "error")) ? 1 : 2;
		cnt[k][kind]++;
		total[k]++;
		all++;
	}
	if (all < 2)
		return;
	for (size_t k = 0; k < NB; k++) {
		if (!total[k])
			continue;
		lo = k < lo ? k : lo;
		hi = k;
		max = total[k] > max ? total[k] : max;
	}
	step = nice_step((double)max, 4);
	step = step < 1 ? 1 : step;
	top = ceil((double)max / step) * step;
	bw = pw / (double)(hi - lo + 1);
	/* the rows listed, which may be the failures only */
	ins_buf_printf(b, "<figure class=\"chart durations\"><figcaption>Durations of the %zu results "
		       "listed</figcaption>\n<svg viewBox=\"0 0 1100 230\" role=\"img\" "
		       "aria-label=\"Durations of the %zu results listed\">\n", all, all);
	for (double y = 0; y <= top + step * 1e-6; y += step) {
		double py = T + ph - y / top * ph;

		ins_buf_printf(b, "<line class=\"grid\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>"
			       "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" "
			       "dominant-baseline=\"middle\">%.0f</text>\n", L, py, W - R, py, L - 8, py, y);
	}
	for (size_t k = lo; k <= hi; k++) {
		double x = L + bw * (double)(k - lo), y = T + ph;

		for (int kind = 0; kind < NK; kind++) {
			double h = (double)cnt[k][kind] / top * ph;

			if (!cnt[k][kind])
				continue;
			y -= h;
			ins_buf_printf(b, "<rect class=\"bar b-%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				       "height=\"%.1f\"><title>%s%s%s: %zu %s</title></rect>\n", kcls[kind],
				       x + 1, y, bw - 2, h, name[k], k + 1 < NB ? "\xe2\x80\x93" : "+",
				       k + 1 < NB ? name[k + 1] : "", cnt[k][kind],
				       kind == 0 ? "passed" : kind == 1 ? "failed or error" : "other");
		}
	}
	ins_buf_printf(b, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>\n",
		       L, T + ph, W - R, T + ph);
	/* The edges under the bars, thinned to one in two or three when they are many. */
	for (size_t k = lo, every = (hi - lo + 1) > 12 ? 2 : 1; k <= hi + 1 && k < NB; k++) {
		if ((k - lo) % every)
			continue;
		ins_buf_printf(b, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>\n",
			       L + bw * (double)(k - lo), T + ph + 18, name[k]);
	}
	ins_buf_puts(b, "</svg></figure>\n");
}

/*
 * A comparison's table "counts" (a row per side: side, tests, passed,
 * failed, skipped) as two horizontal bars on one scale, base above target,
 * each split into passed, failed and skipped, with the counts written in.
 */
static void html_sides(ins_buf *b, const ins_table *t)
{
	static const char *const cols[3] = { "passed", "failed", "skipped" };
	static const char *const cls[3] = { "passed", "failed", "other" };
	int side = ins_table_col_index(t, "side"), tc = ins_table_col_index(t, "tests"), c[3];
	const double W = 1100, L = 64, R = 24, BH = 26, GAP = 12;
	double max = 0, step, top, pw = W - L - R;

	for (int k = 0; k < 3; k++)
		if ((c[k] = ins_table_col_index(t, cols[k])) < 0)
			return;
	if (side < 0 || tc < 0 || t->nrows != 2)
		return;
	for (size_t r = 0; r < 2; r++)
		if ((double)ins_table_cell(t, r, (size_t)tc)->i > max)
			max = (double)ins_table_cell(t, r, (size_t)tc)->i;
	if (max <= 0)
		return;
	step = nice_step(max, 4);
	step = step < 1 ? 1 : step;
	top = ceil(max / step) * step;
	ins_buf_printf(b, "<figure class=\"chart sides\"><figcaption>Outcomes, base and target</figcaption>\n"
		       "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"Outcomes, base and target\">\n",
		       W, 2 * BH + GAP + 34);
	for (double x = 0; x <= top + step * 1e-6; x += step) {
		double px = L + x / top * pw;

		ins_buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%.0f\"/>"
			       "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%.0f</text>\n", px, px,
			       2 * BH + GAP + 8, px, 2 * BH + GAP + 26, x);
	}
	for (size_t r = 0; r < 2; r++) {
		const ins_value *sv = ins_table_cell(t, r, (size_t)side);
		double y = 6 + (double)r * (BH + GAP), x = L;

		ins_buf_printf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" "
			       "dominant-baseline=\"middle\">", L - 8, y + BH / 2);
		html_text(b, sv->s && !strcmp(sv->s, "base") ? "Base" :
			     sv->s && !strcmp(sv->s, "target") ? "Target" : sv->s, 0);
		ins_buf_puts(b, "</text>\n");
		for (int k = 0; k < 3; k++) {
			int64_t n = ins_table_cell(t, r, (size_t)c[k])->i;
			double w = (double)n / top * pw;

			if (n <= 0)
				continue;
			ins_buf_printf(b, "<rect class=\"bar b-%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				       "height=\"%.0f\"><title>", cls[k], x, y, w, BH);
			html_text(b, sv->s, 0);
			ins_buf_printf(b, ": %lld %s</title></rect>\n", (long long)n, cols[k]);
			if (w > 34)
				ins_buf_printf(b, "<text class=\"in\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
					       "dominant-baseline=\"middle\">%lld</text>\n", x + w / 2,
					       y + BH / 2, (long long)n);
			x += w;
		}
	}
	ins_buf_puts(b, "</svg></figure>\n");
}

/*
 * A table: its heading and a box the script fills from the embedded data
 * (entry `index` of data->tables), or the table's "empty" text.
 */
static void html_table(ins_buf *b, html_tables *tabs, const ins_table *t,
		       const ins_render_opts *o, const ins_table *timed)
{
	size_t shown = ins_render_rows_shown(t, o), hidden = ins_render_rows_hidden(t, o);

	if (t == timed)
		html_durations(b, t, shown, ins_table_col_index(t, "outcome"),
			       ins_table_col_index(t, "duration"));
	if (t->id && !strcmp(t->id, "counts"))
		html_sides(b, t);

	if (t->title) {
		ins_buf_puts(b, "<h3>");
		html_text(b, t->title, 0);
		ins_buf_puts(b, "</h3>\n");
	}
	if (!t->nrows) {
		ins_buf_puts(b, "<p class=\"empty\">");
		html_text(b, t->empty ? t->empty : "no rows", 0);
		ins_buf_puts(b, "</p>\n");
	} else {
		ins_buf_printf(b, "<div class=\"tbl\" id=\"t-%zu\"><noscript><p class=\"empty\">"
			       "%zu rows: this table is drawn by the page's script, which is "
			       "turned off.</p></noscript></div>\n", tabs->n, shown);
		tabs->t = ins_xgrow(tabs->t, &tabs->alloc, tabs->n + 1, sizeof(*tabs->t));
		tabs->rows = ins_xgrow(tabs->rows, &tabs->ralloc, tabs->n + 1, sizeof(*tabs->rows));
		tabs->t[tabs->n] = t;
		tabs->rows[tabs->n++] = shown;
	}
	if (hidden)
		ins_buf_printf(b, "<p class=\"more\">and %zu more rows not included in this "
			       "report</p>\n", hidden);
}

/*
 * A line chart of a series: y axis with nice ticks (percentages within
 * 0..100%, counts and durations from 0), x labels thinned to fit, one
 * point per value with a <title> tooltip, gaps breaking the line.
 */
static void html_chart(ins_buf *b, const ins_series *s)
{
	const double W = 1100, H = 280, L = 64, R = 24, T = 14, B = 40;
	double lo = INFINITY, hi = -INFINITY, step, pw = W - L - R, ph = H - T - B;
	size_t n = s->npoints, every;
	int open = 0;

	for (size_t i = 0; i < n; i++) {
		double y = s->points[i].y;

		if (isfinite(y)) {
			lo = y < lo ? y : lo;
			hi = y > hi ? y : hi;
		}
	}
	ins_buf_puts(b, "<figure class=\"chart\"><figcaption>");
	html_text(b, s->title ? s->title : s->id, 0);
	ins_buf_puts(b, "</figcaption>\n");
	if (!isfinite(lo)) {
		ins_buf_puts(b, "<p class=\"empty\">no data</p></figure>\n");
		return;
	}
	if (s->ytype != INS_V_PERCENT && lo >= 0)
		lo = 0;
	if (hi - lo <= 0) {
		double pad = s->ytype == INS_V_PERCENT ? 0.05 : (fabs(hi) > 0 ? fabs(hi) * 0.1 : 1);

		lo -= pad;
		hi += pad;
	}
	step = nice_step(hi - lo, 4);
	lo = floor(lo / step + 1e-9) * step;
	hi = ceil(hi / step - 1e-9) * step;
	if (s->ytype == INS_V_PERCENT) {
		lo = lo < 0 ? 0 : lo;
		hi = hi > 1 ? 1 : hi;
	}
	if (s->ytype == INS_V_DURATION || s->ytype == INS_V_INT)
		lo = lo < 0 ? 0 : lo;

	ins_buf_printf(b, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", W, H);
	html_text(b, s->title ? s->title : s->id, 0);
	ins_buf_puts(b, "\">\n");
	/* Grid lines and y labels. */
	for (double y = lo; y <= hi + step * 1e-6; y += step) {
		double py = T + ph - (y - lo) / (hi - lo) * ph;
		ins_buf lab = INS_BUF_INIT;

		ins_buf_printf(b, "<line class=\"grid\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>",
			       L, py, W - R, py);
		y_text(&lab, s->ytype, fabs(y) < step * 1e-9 ? 0 : y);
		ins_buf_printf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" "
			       "dominant-baseline=\"middle\">", L - 8, py);
		html_text(b, lab.ptr, 0);
		ins_buf_puts(b, "</text>\n");
		ins_buf_release(&lab);
	}
	ins_buf_printf(b, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>\n",
		       L, T + ph, W - R, T + ph);
	/* X labels: at most about ten, evenly spaced. */
	every = n > 8 ? (n + 7) / 8 : 1;
	for (size_t i = 0; i < n; i++) {
		double px = n > 1 ? L + pw * (double)i / (double)(n - 1) : L + pw / 2;

		if (i % every && i + 1 != n)
			continue;
		if (i + 1 == n && i % every && (n - 1) % every < every / 2 + 1 && n > 2)
			continue; /* too close to the previous label */
		ins_buf_printf(b, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"%s\">", px, T + ph + 18,
			       n == 1 ? "middle" : i == 0 ? "start" : i + 1 == n ? "end" : "middle");
		html_text(b, point_label(&s->points[i]), 0);
		ins_buf_puts(b, "</text>\n");
	}
	/* The area under and the line through each run of points without a gap. */
	for (int pass = 0; pass < 2; pass++) {
		size_t run_start = 0;

		open = 0;
		for (size_t i = 0; i <= n; i++) {
			int ok = i < n && isfinite(s->points[i].y);
			double px = n > 1 ? L + pw * (double)i / (double)(n - 1) : L + pw / 2;
			double py = ok ? T + ph - (s->points[i].y - lo) / (hi - lo) * ph : 0;

			if (ok && !open) {
				ins_buf_puts(b, pass ? "<polyline class=\"line\" points=\"" :
						       "<polygon class=\"area\" points=\"");
				open = 1;
				run_start = i;
			}
			if (ok) {
				ins_buf_printf(b, "%.1f,%.1f ", px, py);
				continue;
			}
			if (open) {
				if (!pass) {
					double x0 = n > 1 ? L + pw * (double)run_start / (double)(n - 1)
							  : L + pw / 2;
					double x1 = n > 1 ? L + pw * (double)(i - 1) / (double)(n - 1)
							  : L + pw / 2;

					ins_buf_printf(b, "%.1f,%.1f %.1f,%.1f", x1, T + ph, x0, T + ph);
				}
				ins_buf_puts(b, "\"/>\n");
				open = 0;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		double px = n > 1 ? L + pw * (double)i / (double)(n - 1) : L + pw / 2, py;
		ins_buf lab = INS_BUF_INIT;

		if (!isfinite(s->points[i].y))
			continue;
		py = T + ph - (s->points[i].y - lo) / (hi - lo) * ph;
		ins_buf_printf(b, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"><title>", px, py);
		html_text(b, point_label(&s->points[i]), 0);
		ins_buf_puts(b, ": ");
		y_text(&lab, s->ytype, s->points[i].y);
		html_text(b, lab.ptr, 0);
		ins_buf_puts(b, "</title></circle>\n");
		ins_buf_release(&lab);
	}
	ins_buf_puts(b, "</svg></figure>\n");
}

/* Facts: numbers as cards, everything else in a definition list. */
static void html_facts(ins_buf *b, const ins_section *sec)
{
	size_t ncards = 0, nlist = 0;

	for (size_t i = 0; i < sec->nfacts; i++) {
		if (ins_vtype_is_numeric(sec->facts[i].value.type))
			ncards++;
		else
			nlist++;
	}
	if (nlist) {
		ins_buf_puts(b, "<dl class=\"facts\">\n");
		for (size_t i = 0; i < sec->nfacts; i++) {
			const ins_fact *f = &sec->facts[i];

			if (ins_vtype_is_numeric(f->value.type))
				continue;
			ins_buf_puts(b, "<dt>");
			html_text(b, f->label ? f->label : f->id, 0);
			ins_buf_puts(b, "</dt><dd>");
			cell_html(b, &f->value);
			ins_buf_puts(b, "</dd>\n");
		}
		ins_buf_puts(b, "</dl>\n");
	}
	if (ncards) {
		ins_buf_puts(b, "<div class=\"cards\">\n");
		for (size_t i = 0; i < sec->nfacts; i++) {
			const ins_fact *f = &sec->facts[i];

			if (!ins_vtype_is_numeric(f->value.type))
				continue;
			ins_buf_puts(b, "<div class=\"card");
			/* Outcome counts get their outcome's colour. */
			if (is_outcome_name(f->id)) {
				ins_buf_puts(b, " c-");
				ins_buf_puts(b, f->id);
			}
			ins_buf_puts(b, "\"><div class=\"label\">");
			html_text(b, f->label ? f->label : f->id, 0);
			ins_buf_puts(b, "</div><div class=\"value\">");
			cell_html(b, &f->value);
			ins_buf_puts(b, "</div></div>\n");
		}
		ins_buf_puts(b, "</div>\n");
	}
}

/* Standard base64 of `n` bytes (for the CSP hash). */
static void base64(ins_buf *b, const uint8_t *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		ins_buf_putc(b, a[v >> 18 & 63]);
		ins_buf_putc(b, a[v >> 12 & 63]);
		ins_buf_putc(b, i + 1 < n ? a[v >> 6 & 63] : '=');
		ins_buf_putc(b, i + 2 < n ? a[v & 63] : '=');
	}
}

/*
 * The embedded data. A small report carries it as JSON text (readable, and
 * greppable in the file). From HTML_PACK_ROWS rows or HTML_PACK_MIN bytes of
 * JSON on, it carries a binary container instead, deflated (zlib format) and written in base64: a
 * 32-bit little-endian length, that many bytes of JSON (the tables, as
 * data_table() writes them with `bin`), zero bytes to a multiple of four,
 * then `bin`, to which the JSON's offsets point. The page inflates it with
 * the browser's own DecompressionStream and reads the codes and string
 * heaps as typed arrays, in place: nothing of the bulk is parsed, and a
 * string is decoded only when it is shown or searched.
 */
#define HTML_PACK_MIN (256 * 1024)
#define HTML_PACK_ROWS 1000

static void data_json(ins_buf *json, const html_tables *tabs, ins_buf *bin)
{
	ins_buf_puts(json, "{\"tables\":[");
	for (size_t i = 0; i < tabs->n; i++) {
		if (i)
			ins_buf_puts(json, ",\n");
		data_table(json, tabs->t[i], tabs->rows[i], bin);
	}
	ins_buf_puts(json, "]}");
}

static int html_pack(ins_buf *out, const html_tables *tabs)
{
	ins_buf json = INS_BUF_INIT, bin = INS_BUF_INIT, box = INS_BUF_INIT;
	uLongf n;
	uint8_t *z = NULL;
	int rc = -1;

	data_json(&json, tabs, &bin);
	put_le(&box, (uint32_t)json.len, 4);
	ins_buf_put(&box, json.ptr, json.len);
	bin_align(&box);
	ins_buf_put(&box, bin.ptr, bin.len);
	n = compressBound((uLong)box.len);
	z = ins_xmalloc(n);
	if (box.len > UINT32_MAX ||
	    compress2(z, &n, (const Bytef *)box.ptr, (uLong)box.len, 6) != Z_OK)
		goto done;
	ins_buf_puts(out, "<script type=\"application/octet-stream\" id=\"insight-packed\">");
	for (size_t i = 0; i < n; i += 96) {
		ins_buf_putc(out, '\n');
		base64(out, z + i, n - i < 96 ? n - i : 96);
	}
	ins_buf_puts(out, "\n</script>\n");
	rc = 0;
done:
	free(z);
	ins_buf_release(&json);
	ins_buf_release(&bin);
	ins_buf_release(&box);
	return rc;
}

static void html_data(ins_buf *out, const html_tables *tabs)
{
	ins_buf json = INS_BUF_INIT;
	size_t rows = 0;

	for (size_t i = 0; i < tabs->n; i++)
		rows += tabs->rows[i];
	data_json(&json, tabs, NULL);
	if ((json.len < HTML_PACK_MIN && rows < HTML_PACK_ROWS) || html_pack(out, tabs) < 0) {
		ins_buf_puts(out, "<script type=\"application/json\" id=\"insight-data\">");
		ins_buf_put(out, json.ptr, json.len);
		ins_buf_puts(out, "</script>\n");
	}
	ins_buf_release(&json);
}

/* The first fact with this id in any section, or NULL. */
static const ins_fact *find_fact(const ins_doc *doc, const char *id)
{
	for (size_t s = 0; s < doc->nsections; s++)
		for (size_t i = 0; i < doc->sections[s]->nfacts; i++)
			if (doc->sections[s]->facts[i].id && !strcmp(doc->sections[s]->facts[i].id, id) &&
			    doc->sections[s]->facts[i].value.type != INS_V_NULL)
				return &doc->sections[s]->facts[i];
	return NULL;
}

/* The line under the title: what was tested, on which commit, when. */
static void html_context(ins_buf *b, const ins_doc *doc)
{
	static const char *const ids[] = { "sut", "branch", "commit", "started" };
	int any = 0;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const ins_fact *f = find_fact(doc, ids[i]);
		ins_buf t = INS_BUF_INIT;

		if (!f)
			continue;
		if (!any)
			ins_buf_puts(b, "<p class=\"context\">");
		any = 1;
		ins_buf_puts(b, "<span><span class=\"k\">");
		html_text(b, f->label ? f->label : f->id, 0);
		ins_buf_puts(b, "</span> ");
		if (!strcmp(ids[i], "commit") && f->value.type == INS_V_TEXT && f->value.s) {
			/* to the sessions of this commit, when the page lists sessions */
			ins_buf_puts(b, "<a class=\"ref\" href=\"#commit=");
			html_text(b, f->value.s, 0);
			ins_buf_puts(b, "\" data-commit=\"");
			html_text(b, f->value.s, 0);
			ins_buf_puts(b, "\"><code title=\"");
			html_text(b, f->value.s, 0);
			ins_buf_puts(b, "\">");
			ins_buf_put(&t, f->value.s, strlen(f->value.s) > 10 ? 10 : strlen(f->value.s));
			html_text(b, t.ptr, 0);
			ins_buf_puts(b, "</code></a>");
		} else {
			cell_html(b, &f->value);
		}
		ins_buf_puts(b, "</span>");
		ins_buf_release(&t);
	}
	if (any)
		ins_buf_puts(b, "</p>");
}

void ins_render_html(ins_buf *out, const ins_doc *doc, const ins_render_opts *opts)
{
	const char *title = doc->title ? doc->title : "insight report";
	html_tables tabs = { 0 };
	size_t ntitled = 0;
	const ins_table *timed = NULL;
	uint8_t digest[INS_SHA256_LEN];
	ins_sha256 h;

	ins_sha256_init(&h);
	ins_sha256_update(&h, script, strlen(script));
	ins_sha256_final(&h, digest);
	ins_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		     "<meta name=\"generator\" content=\"insight\">\n"
		     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		     "style-src 'unsafe-inline'; img-src data:; script-src 'sha256-");
	base64(out, digest, sizeof(digest));
	ins_buf_puts(out, "'; base-uri 'none'; form-action 'none'\">\n<title>");
	html_text(out, title, 0);
	ins_buf_puts(out, "</title>\n<style>\n");
	ins_buf_puts(out, css);
	ins_buf_puts(out, "</style>\n</head>\n<body>\n<div class=\"wrap\">\n<header><h1>");
	html_text(out, title, 0);
	ins_buf_puts(out, "</h1>");
	html_context(out, doc);
	ins_buf_puts(out, "</header>\n");
	for (size_t s = 0; s < doc->nsections; s++) {
		if (doc->sections[s]->title)
			ntitled++;
		/* The largest table of results with outcomes and durations gets their distribution. */
		for (size_t i = 0; i < doc->sections[s]->ntables; i++) {
			const ins_table *t = doc->sections[s]->tables[i];
			int oc = ins_table_col_index(t, "outcome"), dc = ins_table_col_index(t, "duration");

			if (oc >= 0 && dc >= 0 && t->cols[oc].type == INS_V_OUTCOME &&
			    t->cols[dc].type == INS_V_DURATION && (!timed || t->nrows > timed->nrows))
				timed = t;
		}
	}
	if (ntitled > 1) {
		ins_buf_puts(out, "<nav class=\"toc\" aria-label=\"Sections\">");
		for (size_t s = 0; s < doc->nsections; s++) {
			const ins_section *sec = doc->sections[s];

			if (!sec->title)
				continue;
			ins_buf_printf(out, "<a href=\"#s-%zu\" data-target=\"s-%zu\">", s, s);
			html_text(out, sec->title, 0);
			ins_buf_puts(out, "</a>");
		}
		ins_buf_puts(out, "</nav>\n");
	}
	ins_buf_puts(out, "<div class=\"bar\" role=\"search\"><input id=\"q\" type=\"search\" "
		     "placeholder=\"Filter by test name or message\" aria-label=\"Filter\" "
		     "autocomplete=\"off\"><div id=\"chips\" class=\"chips\"></div>"
		     "<span id=\"scope\" class=\"scope\" hidden></span></div>\n<main>\n");
	for (size_t s = 0; s < doc->nsections; s++) {
		const ins_section *sec = doc->sections[s];

		if (!sec->title && !sec->nfacts && !sec->ntables && !sec->nseries)
			continue;
		ins_buf_printf(out, "<section id=\"s-%zu\">\n", s);
		if (sec->title) {
			ins_buf_puts(out, "<h2>");
			html_text(out, sec->title, 0);
			ins_buf_puts(out, "</h2>\n");
		}
		html_facts(out, sec);
		for (size_t i = 0; i < sec->nseries; i++)
			html_chart(out, sec->series[i]);
		for (size_t i = 0; i < sec->ntables; i++)
			html_table(out, &tabs, sec->tables[i], opts, timed);
		ins_buf_puts(out, "</section>\n");
	}
	if (doc->nnotes) {
		static const char *const cls[] = { "info", "warning", "verdict" };

		ins_buf_puts(out, "<div class=\"notes\">\n");
		for (size_t i = 0; i < doc->nnotes; i++) {
			unsigned lv = (unsigned)doc->notes[i].level;

			ins_buf_printf(out, "<p class=\"note %s\">", lv < 3 ? cls[lv] : "info");
			html_text(out, doc->notes[i].text, H_NL_BR);
			ins_buf_puts(out, "</p>\n");
		}
		ins_buf_puts(out, "</div>\n");
	}
	ins_buf_puts(out, "</main>\n<footer>Generated by insight</footer>\n</div>\n"
		     "<aside id=\"detail\" class=\"detail\" tabindex=\"-1\" hidden aria-labelledby=\"detail-title\">"
		     "<button id=\"detail-close\" class=\"close\" aria-label=\"Close\">&times;</button>"
		     "<h2 id=\"detail-title\"></h2><div id=\"detail-body\"></div></aside>\n");
	html_data(out, &tabs);
	ins_buf_puts(out, "<script>");
	ins_buf_puts(out, script);
	ins_buf_puts(out, "</script>\n</body>\n</html>\n");
	free(tabs.t);
	free(tabs.rows);
}
