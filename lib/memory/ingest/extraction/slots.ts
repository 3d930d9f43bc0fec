import type { ExtractedEntity } from './types';
import { findEntities, normalizeName, sentencesOf, type SentenceText } from './rules';

// Exclusive attributes: one value at a time, so a newer statement supersedes the older, and a wrong slot hides a true
// memory from search. A slot is set only when a first-person sentence asserts the attribute's new value: a place
// after "moved to / live in", an organisation's name after "work at / joined", a marital status or a diet as the
// complement. Questions, hypotheticals, reported speech, past or temporary context and second jobs set none.
interface Sentence extends SentenceText {
  /** Capitals mark names only when the sentence has lower case too. */
  mixedCase: boolean;
  entities: () => ExtractedEntity[];
}

/** Rules judge a value by at most this much text after the verb. */
const LOOKAHEAD_CHARS = 120;
const NOT_ASSERTED = /\b(?:if|unless|whether|when|whenever|wish|hope|imagine|suppose|pretend|maybe|perhaps|think|thought|said|says|told|assum\w*|believ\w*|dream\w*|would|could|should|might)\b/i;
const PAST_CONTEXT = /\b(?:when i was|as a (?:kid|child|teen\w*|student)|growing up|back then|back in the day|in my (?:twenties|thirties|youth))\b/i;
const TEMPORARY = /\b(?:today|tonight|this (?:morning|afternoon|evening|week|weekend|month)|for (?:a|the|one|two|a few|a couple of) (?:days?|weeks?|weekends?|months?|semesters?|terms?|summers?|while|bit|holidays)|over the summer|temporarily)\b/i;
const PERFECT = /\b(?:been|'ve|have)\b/i;

/** Whether `accepts` takes the text after some asserted, current match of `pattern` in the sentence. */
function asserted(sentence: Sentence, pattern: RegExp, accepts: (rest: string, match: RegExpExecArray) => boolean): boolean {
  if (sentence.text.endsWith('?')) return false;
  const hypotheticalFrom = NOT_ASSERTED.exec(sentence.text)?.index ?? Infinity;
  for (const match of sentence.text.matchAll(pattern)) {
    if (match.index > hypotheticalFrom) break;
    const rest = sentence.text.slice(match.index + match[0].length);
    if (sentence.cut && rest.length < LOOKAHEAD_CHARS) break;
    const ahead = rest.slice(0, LOOKAHEAD_CHARS);
    if (PAST_CONTEXT.test(ahead) || (TEMPORARY.test(ahead) && !PERFECT.test(match[0]))) continue;
    if (accepts(rest, match)) return true;
  }
  return false;
}

const NOT_A_NAME = new Set(['i', "i'm", 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december', 'mom', 'mum', 'dad', 'grandma', 'grandpa', 'god', 'home', 'work', 'school']);
const NAME_JOINERS = new Set(['of', 'de', 'del', 'da', 'do', 'du', 'la', 'le', 'van', 'von', 'upon', '&']);

/** The first words of `rest`, without surrounding punctuation (a bounded slice, so the split is cheap). */
function wordsOf(rest: string): string[] {
  return rest.slice(0, LOOKAHEAD_CHARS).split(/\s+/, 8).map((word) => word.replace(/^[("']+|[)"',.!?:]+$/g, '')).filter(Boolean);
}

/** The capitalised name opening `words` (after an optional "the") and the index after it; "Tom's" is no name. */
function nameAt(words: string[], sentence: Sentence): { name: string; next: number } | null {
  const isCapitalised = (word: string | undefined) => Boolean(word && /^(?:\p{Lu}|\d+\p{Lu})/u.test(word));
  const start = words[0]?.toLowerCase() === 'the' ? 1 : 0;
  if (!sentence.mixedCase || !isCapitalised(words[start]) || NOT_A_NAME.has(words[start]!.toLowerCase())) return null;
  let next = start + 1;
  while (next < words.length && (isCapitalised(words[next]) || (NAME_JOINERS.has(words[next]!) && isCapitalised(words[next + 1])))) next += 1;
  const name = words.slice(start, next).join(' ');
  return /'s?$/.test(name) ? null : { name, next };
}

/** The entity of one of `types` whose name opens `rest` (compromise knows "berlin" and "google" in lower case too). */
function entityAt(rest: string, sentence: Sentence, types: string[]): ExtractedEntity | undefined {
  const text = rest.toLowerCase().replace(/^the\s+/, '');
  return sentence.entities().find((entity) => {
    const name = entity.name.toLowerCase();
    return types.includes(entity.type) && text.startsWith(name) && !/[\p{L}\p{N}]/u.test(text[name.length] ?? '');
  });
}

const MOVED = /\b(?:i|we)(?:'ve|\s+have)?\s+(?:(?:just|recently|now|finally|actually|officially|already)\s+)?(?:moved|relocated)\s+(?:(?:back|over|out|here|there|away)\s+)?(?:to|into)\s+/gi;
const LIVES = /\b(?:(?:i|we)\s+(?:(?:now|currently|still|actually)\s+)?live\s+in|(?:i'm|i\s+am|we're|we\s+are|i've\s+been|we've\s+been)\s+(?:(?:now|currently|still)\s+)?(?:living|based|settled)\s+in|(?:my|our)\s+(?:new\s+)?(?:home|apartment|flat|house|place)\s+is\s+in)\s+/gi;
const PLACE_NOUNS = new Set(['city', 'town', 'village', 'countryside', 'suburbs', 'suburb', 'coast', 'seaside', 'mountains', 'island', 'country', 'state', 'province', 'capital', 'outskirts']);
const HOME_NOUNS = new Set(['flat', 'apartment', 'house', 'condo', 'studio', 'place', 'home', 'cottage', 'loft', 'neighborhood', 'neighbourhood', 'area', 'district']);
const NOUN_PHRASE_START = new Set(['the', 'a', 'an', 'my', 'our', 'this', 'that']);

/**
 * A new home: a place name ("Berlin", "the Netherlands", lower case when compromise knows it), a home or area noun
 * phrase placed by a name ("a flat in Leeds", "a village outside York"), or, after a move, a geographic noun
 * phrase ("the countryside"). "The couch to the other room", "the moment", "a new team" are none.
 */
function isNewHome(rest: string, sentence: Sentence, moved: boolean): boolean {
  const words = wordsOf(rest);
  if (nameAt(words, sentence)) return !entityAt(rest, sentence, ['organization']) || Boolean(entityAt(rest, sentence, ['place']));
  if (entityAt(rest, sentence, ['place'])) return true;
  if (!NOUN_PHRASE_START.has(words[0]?.toLowerCase() ?? '')) return false;
  // Up to two adjectives before the noun: "a small village", not "the other side of town".
  const head = words.slice(1, 4).findIndex((word) => PLACE_NOUNS.has(word) || HOME_NOUNS.has(word)) + 1;
  if (head === 0 || !words.slice(1, head).every((word) => /^[a-z-]+$/.test(word) && word !== 'of')) return false;
  if (moved && PLACE_NOUNS.has(words[head]!)) return true;
  return ['in', 'near', 'outside', 'of'].includes(words[head + 1] ?? '') && nameAt(words.slice(head + 2), sentence) !== null;
}

const EMPLOYED = /\bi(?:'m|\s+am|'ve\s+been|\s+have\s+been)?\s+(?:(?:just|recently|now|finally|actually|officially|currently|still)\s+)?(?:(?:work|working|(?:started|began)\s+work(?:ing)?)\s+(?:at|for)|employed\s+(?:at|by)|(?:got\s+|was\s+)?hired\s+(?:at|by)|got\s+(?:a|the)\s+(?:new\s+)?(?:job|position|role)\s+(?:at|with))\s+/gi;
const JOINED = /\bi(?:'ve|\s+have)?\s+(?:(?:just|recently|now|finally|officially)\s+)?(joined|started\s+(?:(?:a|my)\s+new\s+(?:job|role|position)\s+)?at)\s+/gi;
const SECOND_JOB = /\b(?:also|as well|part[- ]time|on (?:the )?weekends|on the side|side (?:job|gig|hustle)|volunteer\w*|moonlight\w*|freelanc\w*|second job)\b/i;
const SOCIAL_FOLLOWERS = new Set(['for', 'with', 'and', '&', 'to', 'at', 'on', 'in']);
/** Joining these is signing up or becoming a member, not a new employer. */
const PLATFORMS = new Set(['facebook', 'instagram', 'twitter', 'tiktok', 'reddit', 'discord', 'strava', 'linkedin', 'duolingo', 'tinder', 'bumble', 'hinge', 'mastodon', 'bluesky', 'threads', 'snapchat', 'pinterest', 'patreon', 'substack', 'goodreads', 'meetup', 'nextdoor']);
const MEMBERSHIPS = /\b(?:party|club|society|church|choir|chorus|league|union|association|community|guild|circle|congregation|band|orchestra|gym|university|college|school|academy)$/i;

/** A new employer: an organisation's name ("Siemens", "the BBC"), not "home", "the moment" or "a project". */
function isNewEmployer(rest: string, sentence: Sentence, verb: string): boolean {
  if (SECOND_JOB.test(sentence.text)) return false;
  const words = wordsOf(rest);
  const found = nameAt(words, sentence);
  if (!found) return Boolean(entityAt(rest, sentence, ['organization']));
  if (!/^(?:joined|started)/i.test(verb)) return true;
  // A school, a club, an app or a companion is no employer: "I started at Oxford University", "I joined Strava",
  // "I joined the Labour Party", "I joined Tom for lunch".
  if (MEMBERSHIPS.test(found.name) || PLATFORMS.has(found.name.split(' ')[0]!.toLowerCase())) return false;
  if (!/^joined$/i.test(verb)) return true;
  const follower = words[found.next]?.toLowerCase();
  const datedJoin = (follower === 'in' || follower === 'on') && /^(?:\p{Lu}|\d)/u.test(words[found.next + 1] ?? '');
  if (follower && SOCIAL_FOLLOWERS.has(follower) && !datedJoin) return false;
  return !entityAt(rest, sentence, ['person']) || Boolean(entityAt(rest, sentence, ['organization']));
}

const ROLE = /\b(?:i'm|i\s+am)\s+(?:(?:now|currently|still|actually|officially|just)\s+)?(?:a|an)\s+((?:[a-z-]+\s+){0,3})(engineer|developer|designer|manager|teacher|nurse|doctor|student|consultant|analyst|scientist|writer|lawyer|accountant|architect|chef|researcher)(?![\w']|-[a-z])/gi;
const NOT_CURRENT_ROLE = /\b(?:former|ex|retired|aspiring|wannabe|future|would-be|prospective|recovering)\b/i;
const ROLE_FOLLOWERS = new Set(['at', 'for', 'in', 'with', 'and', 'but', 'now', 'since', 'so', 'who', 'from', 'on', 'by', 'here', 'there', 'too', 'myself']);

/** The first word of `rest` is a clause end (punctuation, nothing) or one of `followers`. */
function endsComplement(rest: string, followers: Set<string>): boolean {
  if (/^-\p{L}/u.test(rest)) return false;
  if (/^\s*(?:[^\p{L}\p{N}\s'-]|-(?!\p{L})|$)/u.test(rest)) return true;
  return followers.has(wordsOf(rest)[0]?.toLowerCase() ?? '');
}

const STATUS = /\b(?:i|we)((?:'m|'re|'ve|\s+(?:am|are|have|been|got|gotten|just|now|finally|officially|newly|happily|recently|still|legally|both|became|become)){0,4})\s+(married|divorced|engaged|single|separated|widowed|a\s+widow(?:er)?)\b/gi;
const STATUS_FOLLOWERS = new Set(['now', 'again', 'and', 'but', 'since', 'so', 'though', 'because', 'after', 'for', 'last', 'this', 'yesterday', 'recently', 'officially', 'too', 'yet', 'lol', 'haha', 'already', 'finally', 'happily', 'a', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten']);
const PARTNERS = new Set(['wife', 'husband', 'partner', 'girlfriend', 'boyfriend', 'fiance', 'fiancé', 'fiancee', 'fiancée', 'spouse', 'ex', 'high', 'college', 'childhood', 'best', 'longtime', 'long-time']);
const SEASONS = new Set(['spring', 'summer', 'autumn', 'fall', 'winter']);

/** "married", "engaged to Tom", "divorced from my husband" as the complement; not "engaged in a lawsuit". */
function statesStatus(rest: string, match: RegExpExecArray): boolean {
  const status = match[2]!.toLowerCase();
  if (endsComplement(rest, STATUS_FOLLOWERS)) return true;
  const words = wordsOf(rest);
  const word = words[0]?.toLowerCase();
  const second = words[1]?.toLowerCase() ?? '';
  // "Tom", "him", "my husband": a partner, not "my job" or "reality".
  const partnerAt = (index: number) =>
    /^\p{Lu}/u.test(words[index] ?? '') || ['him', 'her'].includes(words[index]?.toLowerCase() ?? '') || (words[index]?.toLowerCase() === 'my' && PARTNERS.has(words[index + 1]?.toLowerCase() ?? ''));
  if (word === 'to' && (status === 'engaged' || status === 'married')) return partnerAt(1) || second === 'be' || (['a', 'an'].includes(second) && /\b(?:man|woman|guy|girl|lady|gentleman|person)\b/i.test(rest.slice(0, 60)));
  if (word === 'from' && (status === 'separated' || status === 'divorced')) return partnerAt(1);
  if ((word === 'in' || word === 'on') && status !== 'single' && status !== 'separated') return /^(?:\p{Lu}|\d)/u.test(words[1] ?? '') || SEASONS.has(second) || (second === 'the' && SEASONS.has(words[2]?.toLowerCase() ?? ''));
  if (status === 'married' && (word === 'with' || word === 'at')) return true;
  // "I married Ana", "I divorced him": the verb itself, with the partner as its object.
  return !match[1] && (status === 'married' || status === 'divorced') && partnerAt(0);
}

const DIET = /\b(?:i|we)(?:'m|'re|'ve|\s+(?:am|are|have|been|went|gone|became|become|turned|now|fully|strictly|mostly|completely|officially|still|finally|basically|just|recently)){1,4}\s+(a\s+|an\s+|on\s+a\s+)?(vegan|vegetarian|pescatarian|flexitarian|plant-based|keto|paleo)\b/gi;
const DIET_FOLLOWERS = new Set(['now', 'again', 'and', 'but', 'since', 'so', 'though', 'because', 'for', 'in', 'last', 'this', 'after', 'too', 'lol', 'haha', 'already', 'myself']);

/** "I'm vegan", "I went vegetarian", "I'm on a keto diet"; not "a vegan chef" or "vegan-curious". */
function statesDiet(rest: string, match: RegExpExecArray): boolean {
  if (match[1]?.trim().toLowerCase() === 'on a') return wordsOf(rest)[0]?.toLowerCase() === 'diet';
  return endsComplement(rest, DIET_FOLLOWERS);
}

const SLOT_RULES: [string, (sentence: Sentence) => boolean][] = [
  ['location:home', (s) => asserted(s, MOVED, (rest) => isNewHome(rest, s, true)) || asserted(s, LIVES, (rest) => isNewHome(rest, s, false))],
  ['work:employer', (s) => asserted(s, EMPLOYED, (rest) => isNewEmployer(rest, s, 'work')) || asserted(s, JOINED, (rest, match) => isNewEmployer(rest, s, match[1]!))],
  ['work:role', (s) => asserted(s, ROLE, (rest, match) => !NOT_CURRENT_ROLE.test(match[1]!) && endsComplement(rest, ROLE_FOLLOWERS))],
  ['relationship:status', (s) => asserted(s, STATUS, statesStatus)],
  ['health:diet', (s) => asserted(s, DIET, statesDiet)],
];

// "My favourite colour is green" → preference:favorite colour.
const FAVORITE = /\bmy\s+(?:absolute\s+|all-time\s+|new\s+)?favou?rite\s+([a-z]{1,30}(?:\s+[a-z]{1,30})?)\s+(?:is|are|has to be)\b/i;
// "I love sushi." / "I don't like sushi anymore" → preference:sushi. The object is a short noun phrase that ends the
// clause; anything longer or vaguer ("I love that you came", "I like how it looks") gets no slot.
const LIKES = /\b(?:i|we)\s+(?:(really|absolutely|still|now|no longer|don't|do not|can't|cannot|kind of)\s+)?(love|like|enjoy|adore|prefer|hate|dislike|stand)\s+/gi;
const LIKE_OBJECT_END = /[.!?,;:)]|\s+(?:anymore|any more|now|these days|more than|over|because|but|and|so much|a lot)\b/i;
const DETERMINERS = /^(?:the|a|an|my|our|some|all the|all|most|eating|drinking)\s+/;
const VAGUE_OBJECT = /^(?:it|that|this|these|those|them|you|him|her|us|me|everyone|everybody|everything|anything|something|one|ones|how|what|when|where|why|who|to|your|his|their|being|having|doing|getting|seeing|hearing|knowing|the idea|the way|the fact|idea|way)\b/;

/** The object of the sentence's first like or dislike, if it is a clean run of words. */
function likedObject(sentence: SentenceText): string | null {
  for (const match of sentence.text.matchAll(LIKES)) {
    if (match[2]!.toLowerCase() === 'stand' && !/^(?:can't|cannot)$/i.test(match[1] ?? '')) continue;
    const rest = sentence.text.slice(match.index + match[0].length);
    const end = LIKE_OBJECT_END.exec(rest);
    if (!end && sentence.cut) return null;
    const object = (end ? rest.slice(0, end.index) : rest).trimEnd();
    if (/^[a-z][a-z' -]*$/i.test(object)) return object;
  }
  return null;
}

function preferenceTopic(sentences: SentenceText[]): string | null {
  for (const sentence of sentences) {
    const favorite = FAVORITE.exec(sentence.text);
    if (favorite) return `favorite ${normalizeName(favorite[1]!)}`;
  }
  for (const sentence of sentences) {
    const object = likedObject(sentence);
    if (!object) continue;
    const topic = normalizeName(object).replace(DETERMINERS, '');
    if (topic && topic.split(' ').length <= 3 && !VAGUE_OBJECT.test(topic)) return topic;
  }
  return null;
}

/**
 * The exclusive attribute a message states, if any. `entities` (from findEntities on the same text) let lower-case
 * places and organisations count and keep a company from being taken for a home; found here when not given.
 */
export function detectSlot(text: string, category: string, entities?: ExtractedEntity[]): string | null {
  let known = entities;
  const lazyEntities = () => (known ??= findEntities(text));
  const sentences = sentencesOf(text);
  const parsed = sentences.map((sentence) => ({ ...sentence, mixedCase: /\p{Ll}/u.test(sentence.text), entities: lazyEntities }));
  const rule = SLOT_RULES.find(([, stated]) => parsed.some(stated));
  if (rule) return rule[0];
  if (category !== 'preference') return null;
  const topic = preferenceTopic(sentences);
  return topic ? `preference:${topic}` : null;
}
