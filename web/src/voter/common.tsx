import type { ComponentChildren } from 'preact';
import { Layout } from '../lib/ui';
import { DICTS, LANGS, rememberLang, type Lang } from '../lib/i18n';

export type VoterDict = (typeof DICTS)['en'];

/** Every voter page: the language can be switched in its header. */
export function VoterLayout(props: { lang: Lang; setLang: (l: Lang) => void; title: string; children: ComponentChildren }) {
  const t = DICTS[props.lang];
  return (
    <Layout
      title={props.title}
      lang={props.lang}
      brand={t.brand}
      skipLabel={t.skip}
      tools={<LanguageSwitch lang={props.lang} setLang={props.setLang} />}
    >
      {props.children}
    </Layout>
  );
}

function LanguageSwitch({ lang, setLang }: { lang: Lang; setLang: (l: Lang) => void }) {
  const other = LANGS.find((l) => l.code !== lang)!;
  return (
    <button
      type="button"
      class="secondary"
      lang={other.code}
      aria-label={other.code === 'es' ? 'Cambiar a español' : 'Switch to English'}
      onClick={() => { rememberLang(other.code); setLang(other.code); }}
    >
      {other.name}
    </button>
  );
}
