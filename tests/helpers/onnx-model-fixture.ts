import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';

/**
 * A tiny BERT-shaped embedding model written at test time (a few KB, never downloaded): input_ids, attention_mask and
 * token_type_ids go in, a Gather over a small seeded random table comes out as last_hidden_state, beside a WordPiece
 * tokenizer.json of a few dozen words, tokenizer_config.json, config.json and sentence-transformers' pooling config
 * (mean pooling: CLS pooling over a Gather would give every text the [CLS] row). It loads through the real
 * @huggingface/transformers and onnxruntime-node, so tests exercise the provider's real path with what we have.
 */
export const FIXTURE_HIDDEN_SIZE = 16;

// onnx-proto is CommonJS: its namespace comes through the default export.
const { onnx } = onnxProto;

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
export const FIXTURE_WORDS = [
  'i', 'am', 'my', 'the', 'a', 'to', 'in', 'is', 'what', 'do', 'you', 'we', 'and', 'of', 'on', 'at',
  'live', 'berlin', 'paris', 'work', 'siemens', 'engineer', 'dog', 'cat', 'named', 'rex', 'like', 'pizza',
  'hiking', 'mountains', 'building', 'react', 'dashboard', 'startup', 'where', 'pet', 'food', 'favourite',
];

/** A deterministic pseudo-random stream in [-1, 1) (mulberry32), so the fixture is the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

function modelBytes(vocabSize: number, hiddenSize: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const table = new Float32Array(vocabSize * hiddenSize).map(() => random());
  const tokenInput = (name: string) =>
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: onnx.TensorProto.DataType.INT64, shape: { dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }] } } },
    });
  const graph = onnx.GraphProto.create({
    name: 'tiny-bert',
    node: [onnx.NodeProto.create({ opType: 'Gather', input: ['embeddings', 'input_ids'], output: ['last_hidden_state'], name: 'lookup', attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] })],
    initializer: [onnx.TensorProto.create({ name: 'embeddings', dims: [vocabSize, hiddenSize], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(table.buffer) })],
    input: [tokenInput('input_ids'), tokenInput('attention_mask'), tokenInput('token_type_ids')],
    output: [
      onnx.ValueInfoProto.create({
        name: 'last_hidden_state',
        type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }, { dimValue: hiddenSize }] } } },
      }),
    ],
  });
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], producerName: 'memory-layer-tests', graph });
  return onnx.ModelProto.encode(model).finish();
}

function tokenizerJson(vocab: string[]) {
  const ids = Object.fromEntries(vocab.map((token, id) => [token, id]));
  const special = (token: string) => ({ id: token, ids: [ids[token]], tokens: [token] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({ id: ids[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': special('[CLS]'), '[SEP]': special('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: ids },
  };
}

/** The files of the fixture model, by path inside the model's folder (the layout of a Hugging Face repo). */
export function tinyModelFiles(options: { seed?: number; hiddenSize?: number } = {}): Record<string, Uint8Array | string> {
  const hiddenSize = options.hiddenSize ?? FIXTURE_HIDDEN_SIZE;
  const vocab = [...SPECIAL_TOKENS, ...FIXTURE_WORDS];
  return {
    'onnx/model.onnx': modelBytes(vocab.length, hiddenSize, options.seed ?? 20_261_201),
    'config.json': JSON.stringify({ model_type: 'bert', architectures: ['BertModel'], hidden_size: hiddenSize, vocab_size: vocab.length, max_position_embeddings: 512, pad_token_id: 0 }),
    'tokenizer.json': JSON.stringify(tokenizerJson(vocab)),
    'tokenizer_config.json': JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: 512,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      mask_token: '[MASK]',
    }),
    '1_Pooling/config.json': JSON.stringify({ word_embedding_dimension: hiddenSize, pooling_mode_cls_token: false, pooling_mode_mean_tokens: true }),
  };
}

/** Writes the fixture model into `dir` (created if needed) and returns `dir`. */
export function writeTinyModel(dir: string, options: { seed?: number; hiddenSize?: number } = {}): string {
  for (const [file, content] of Object.entries(tinyModelFiles(options))) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

/** A fresh temporary folder holding the fixture model. */
export function tinyModelDir(options: { seed?: number; hiddenSize?: number } = {}): string {
  return writeTinyModel(fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-onnx-')), options);
}
