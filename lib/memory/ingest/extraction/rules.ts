import nlp from 'compromise';
import { isTrivialMessage } from '@/lib/memory/chat/prompt';
import type { ExtractedEntity, ExtractedRelation } from './types';

// Ordered: the first category whose pattern matches wins.
const CATEGORY_RULES: [string, RegExp][] = [
  ['location', /\b(live[sd]?|living|moved|moving|relocat\w*|based in|hometown|grew up in|neighbou?rhood|apartment|house in)\b/i],
  ['work', /\b(work(s|ed|ing)?|job|employ\w*|company|startup|office|career|hired|promot\w*|colleague|boss|manager|salary|intern\w*)\b/i],
  ['health', /\b(allerg\w*|diet|vegan|vegetarian|gluten|sick|doctor|medicat\w*|injur\w*|health|therapy|diagnos\w*)\b/i],
  ['relationship', /\b(wife|husband|partner|girlfriend|boyfriend|married|divorc\w*|engaged|son|daughter|kids?|children|mother|father|mom|dad|sister|brother|friend|family)\b/i],
  ['preference', /\b(like[sd]?|love[sd]?|enjoy\w*|prefer\w*|favou?rite|hate[sd]?|dislike[sd]?|fan of|can't stand)\b/i],
  ['plan', /\b(going to|plan(s|ned|ning)?|will be|next (week|month|year)|tomorrow|soon|trip|vacation|travel\w*)\b/i],
  ['hobby', /\b(hobby|hobbies|play(s|ed|ing)?|paint\w*|hik(e|es|ed|ing)|read(s|ing)?|running|guitar|piano|garden\w*|cook(s|ed|ing)?|photograph\w*)\b/i],
];

export function categorize(text: string): string {
  return CATEGORY_RULES.find(([, pattern]) => pattern.test(text))?.[0] ?? 'general';
}

// Exclusive attributes: one value at a time, so a newer statement supersedes the older. A wrong slot hides a true
// memory from search, so the rules only fire on unambiguous first-person statements.
const SLOT_RULES: [string, RegExp][] = [
  ['location:home', /\b(i|we)\s+(just\s+|recently\s+|now\s+)?(live|living|moved|relocated|am living|'m living)\s+(in|to)\b|\bi\s+(just\s+)?moved\b|\bmy (new )?(home|apartment|house) is in\b/i],
  ['work:employer', /\b(i|i'm|i am)\s+(now\s+)?(work(ing)?\s+(at|for)|employed (at|by))\b/i],
  // "I joined Globex" is a new employer; "I joined a church / the gym / a mentoring program" is not.
  ['work:employer', /\b[Ii]\s+(?:just\s+|recently\s+|now\s+)?(?:joined|started(?: a new job)? at)\s+[A-Z]/],
  ['work:role', /\b(i am|i'm) (now )?(a|an) [a-z ]*(engineer|developer|designer|manager|teacher|nurse|doctor|student|consultant|analyst|scientist|writer)\b/i],
  ['relationship:status', /\b(i am|i'm|we are|we're|we got|i got)\s+(now\s+)?(married|divorced|engaged|single|separated)\b/i],
  ['health:diet', /\b(i am|i'm)\s+(now\s+)?(a\s+)?(vegan|vegetarian|pescatarian|keto|on a diet)\b/i],
];

// "My favourite colour is green" → preference:favorite colour.
const FAVORITE = /\bmy\s+(?:absolute\s+|all-time\s+|new\s+)?favou?rite\s+([a-z]+(?:\s+[a-z]+)?)\s+(?:is|are|has to be)\b/i;
// "I love sushi." / "I don't like sushi anymore" → preference:sushi. The object is a short noun phrase that ends the
// clause; anything longer or vaguer ("I love that you came", "I like how it looks") gets no slot.
const LIKES =
  /\b(?:i|we)\s+(?:really\s+|absolutely\s+|still\s+|now\s+|no longer\s+|don't\s+|do not\s+|can't\s+|cannot\s+|kind of\s+)?(?:love|like|enjoy|adore|prefer|hate|dislike|(?<=(?:can't|cannot)\s+)stand)\s+([a-z][a-z' -]*?)(?=\s*(?:[.!?,;:)]|$)|\s+(?:anymore|any more|now|these days|more than|over|because|but|and|so much|a lot)\b)/i;
const DETERMINERS = /^(?:the|a|an|my|our|some|all the|all|most|eating|drinking)\s+/;
const VAGUE_OBJECT = /^(?:it|that|this|these|those|them|you|him|her|us|me|everyone|everybody|everything|anything|something|one|ones|how|what|when|where|why|who|to|your|his|their|being|having|doing|getting|seeing|hearing|knowing|the idea|the way|the fact|idea|way)\b/;

function preferenceTopic(text: string): string | null {
  const favorite = FAVORITE.exec(text);
  if (favorite) return `favorite ${normalizeName(favorite[1]!)}`;
  const object = LIKES.exec(text)?.[1];
  if (!object) return null;
  const topic = normalizeName(object).replace(DETERMINERS, '');
  if (!topic || topic.split(' ').length > 3 || VAGUE_OBJECT.test(topic)) return null;
  return topic;
}

export function detectSlot(text: string, category: string): string | null {
  const rule = SLOT_RULES.find(([, pattern]) => pattern.test(text));
  if (rule) return rule[0];
  if (category !== 'preference') return null;
  const topic = preferenceTopic(text);
  return topic ? `preference:${topic}` : null;
}

const PRONOUNS = new Set(['i', 'me', 'my', 'it', 'this', 'that', 'you', 'we', 'they', 'them', 'he', 'she', 'something', 'anything', 'everything', 'lot', 'a lot', 'things', 'thing']);
const RELATION_WORDS = /^(my|our|his|her|their)?\s*(wife|husband|partner|girlfriend|boyfriend|son|daughter|kid|mother|father|mom|dad|sister|brother|friend|best friend|boss|manager|colleague|cousin|aunt|uncle)\s+/i;

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}\s'-]/gu, '').replace(/\s+/g, ' ').trim();
}

function cleanName(raw: string): string {
  return raw.replace(/[.,!?;:"()]+/g, ' ').replace(RELATION_WORDS, '').replace(/'s$/i, '').replace(/\s+/g, ' ').trim();
}

/** People, places and organisations named in the text, through compromise (a rule-based NLP library). */
export function findEntities(text: string): ExtractedEntity[] {
  const doc = nlp(text);
  const found: ExtractedEntity[] = [];
  const add = (names: string[], type: string) => {
    for (const raw of names) {
      const name = cleanName(raw);
      if (name.length < 2 || PRONOUNS.has(name.toLowerCase())) continue;
      if (!found.some((entity) => normalizeName(entity.name) === normalizeName(name))) found.push({ name, type });
    }
  };
  add(doc.people().out('array') as string[], 'person');
  add(doc.places().out('array') as string[], 'place');
  add(doc.organizations().out('array') as string[], 'organization');
  return found;
}

const RELATION_RULES: [RegExp, (entity: ExtractedEntity) => boolean, string][] = [
  [/\b(live[sd]?|living|moved|relocated)\s+(in|to)\b/i, (e) => e.type === 'place', 'lives_in'],
  [/\b(from|grew up in)\b/i, (e) => e.type === 'place', 'from'],
  [/\b(visit\w*|trip to|travel\w* to|going to)\b/i, (e) => e.type === 'place', 'visits'],
  [/\b(work\w*\s+(at|for)|joined|employed (at|by)|hired by)\b/i, (e) => e.type === 'organization', 'works_at'],
];

const FIRST_PERSON = /\b(i|i'm|i've|i'd|we|we're|we've|me|us)\b/i;

/**
 * Edges named by the verb pattern around each entity ("mentions" when none fits). The subject is the end user
 * when the sentence speaks in the first person, else the first person named ("My sister Anna lives in Lisbon":
 * user -sister-> Anna, Anna -lives_in-> Lisbon).
 */
export function findRelations(text: string, entities: ExtractedEntity[]): ExtractedRelation[] {
  const namedPerson = entities.find((entity) => entity.type === 'person');
  const subject = FIRST_PERSON.test(text) || !namedPerson ? 'user' : namedPerson.name;
  return entities.map((entity) => {
    const kinship = new RegExp(`\\bmy\\s+(wife|husband|partner|girlfriend|boyfriend|son|daughter|mother|father|mom|dad|sister|brother|friend|best friend|boss|manager|colleague|cousin)\\s+${escapeRegExp(entity.name)}`, 'i').exec(text);
    if (kinship) return { source: 'user', relation: kinship[1]!.toLowerCase().replace(/\s+/g, '_'), target: entity.name };
    const rule = RELATION_RULES.find(([pattern, applies]) => applies(entity) && pattern.test(text));
    const source = entity.name === subject ? 'user' : subject;
    return { source, relation: rule?.[2] ?? 'mentions', target: entity.name };
  });
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A user turn worth remembering: not trivial, not a lone question. */
export function isMemorable(text: string): boolean {
  return !isTrivialMessage(text);
}
