/*
 * Lumi's Opus binding: libopus 1.3.1 (the sources @discordjs/opus installs) behind plain Node-API.
 *
 * Why a binding of our own: @discordjs/opus decodes with decode_fec=0 and conceals a fixed
 * 120-360 ms for an empty packet, so a jitter buffer can neither recover a lost packet from the
 * next one's in-band FEC nor conceal exactly the missing duration (docs/toolchain.md section 3).
 * Here the decoder exposes both, on the same decoder state that decodes the stream (FEC and PLC
 * only work there).
 *
 * Every argument is checked before libopus sees it; libopus's own errors (a malformed packet,
 * a bad size) become JavaScript exceptions. No input reaches a crash: packets are only read
 * within their length, and every output is written into a buffer sized for the longest Opus
 * packet (120 ms).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <opus.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The longest Opus packet lasts 120 ms (RFC 6716 section 3.2.5). */
#define MAX_PACKET_MS 120
/* FEC and concealment lengths must be whole multiples of 2.5 ms: Fs / 400 samples. */
#define GRANULE_DIVISOR 400
/* libopus's recommended ceiling for one encoded packet. */
#define MAX_ENCODED_BYTES 4000
/* The largest packet the decoder accepts: 120 ms of 2.5 ms frames at the 1275-byte maximum. */
#define MAX_PACKET_BYTES (48 * 1275)
#define MAX_CHANNELS 2

typedef struct {
  OpusDecoder *decoder;
  opus_int32 rate;
  int channels;
  int max_samples;
  opus_int16 *scratch;
} Decoder;

typedef struct {
  OpusEncoder *encoder;
  opus_int32 rate;
  int channels;
} Encoder;

/* ---- argument helpers: each returns 0 after throwing, 1 on success ---- */

static int fail(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
  return 0;
}

static int fail_range(napi_env env, const char *message) {
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", message);
  return 0;
}

static int fail_type(napi_env env, const char *message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
  return 0;
}

static int fail_opus(napi_env env, int status) {
  return fail(env, "ERR_OPUS", opus_strerror(status));
}

static int get_args(napi_env env, napi_callback_info info, size_t wanted, napi_value *argv,
                    void **self) {
  size_t argc = wanted;
  napi_value this_arg;
  if (napi_get_cb_info(env, info, &argc, argv, &this_arg, NULL) != napi_ok) {
    return fail(env, "ERR_NAPI", "could not read the arguments");
  }
  if (argc < wanted) return fail_type(env, "missing argument");
  if (self != NULL && (napi_unwrap(env, this_arg, self) != napi_ok || *self == NULL)) {
    return fail_type(env, "not an Opus codec object");
  }
  return 1;
}

static int get_int(napi_env env, napi_value value, int64_t low, int64_t high, const char *what,
                   int64_t *out) {
  napi_valuetype type;
  double number;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number) {
    return fail_type(env, what);
  }
  napi_get_value_double(env, value, &number);
  if (!(number >= (double)low && number <= (double)high) || number != (double)(int64_t)number) {
    return fail_range(env, what);
  }
  *out = (int64_t)number;
  return 1;
}

/* A Uint8Array (or Buffer) of 1..MAX_PACKET_BYTES bytes. */
static int get_packet(napi_env env, napi_value value, const unsigned char **data,
                      opus_int32 *length) {
  bool is_typed;
  napi_typedarray_type type;
  size_t count;
  void *bytes;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) {
    return fail_type(env, "an Opus packet must be a Uint8Array");
  }
  napi_get_typedarray_info(env, value, &type, &count, &bytes, NULL, NULL);
  if (type != napi_uint8_array) return fail_type(env, "an Opus packet must be a Uint8Array");
  if (count == 0) return fail_range(env, "an Opus packet cannot be empty");
  if (count > MAX_PACKET_BYTES) return fail_range(env, "an Opus packet is at most 61200 bytes");
  *data = (const unsigned char *)bytes;
  *length = (opus_int32)count;
  return 1;
}

static int valid_rate(int64_t rate) {
  return rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 || rate == 48000;
}

static int get_rate_and_channels(napi_env env, napi_value *argv, opus_int32 *rate,
                                 int *channels) {
  int64_t value;
  if (!get_int(env, argv[0], 8000, 48000, "the rate must be 8000, 12000, 16000, 24000 or 48000",
               &value)) {
    return 0;
  }
  if (!valid_rate(value)) {
    return fail_range(env, "the rate must be 8000, 12000, 16000, 24000 or 48000");
  }
  *rate = (opus_int32)value;
  if (!get_int(env, argv[1], 1, MAX_CHANNELS, "channels must be 1 or 2", &value)) return 0;
  *channels = (int)value;
  return 1;
}

/* A whole number of 2.5 ms granules, from 2.5 ms up to 120 ms. */
static int get_granular_samples(napi_env env, napi_value value, const Decoder *self, int *out) {
  int64_t samples;
  if (!get_int(env, value, 1, self->max_samples, "samples must be 1 to 120 ms of audio",
               &samples)) {
    return 0;
  }
  if (samples % (self->rate / GRANULE_DIVISOR) != 0) {
    return fail_range(env, "samples must be a multiple of 2.5 ms");
  }
  *out = (int)samples;
  return 1;
}

/* An Int16Array copy of the first `samples` decoded samples (per channel) of the scratch. */
static napi_value pcm_result(napi_env env, const Decoder *self, int samples) {
  size_t count = (size_t)samples * (size_t)self->channels;
  void *data;
  napi_value buffer, array;
  if (napi_create_arraybuffer(env, count * sizeof(opus_int16), &data, &buffer) != napi_ok) {
    fail(env, "ERR_NAPI", "could not allocate the decoded audio");
    return NULL;
  }
  memcpy(data, self->scratch, count * sizeof(opus_int16));
  napi_create_typedarray(env, napi_int16_array, count, buffer, 0, &array);
  return array;
}

static napi_value decoded(napi_env env, const Decoder *self, int status) {
  if (status < 0) {
    fail_opus(env, status);
    return NULL;
  }
  return pcm_result(env, self, status);
}

/* ---- decoder ---- */

static void decoder_finalize(napi_env env, void *data, void *hint) {
  Decoder *self = (Decoder *)data;
  (void)env;
  (void)hint;
  opus_decoder_destroy(self->decoder);
  free(self->scratch);
  free(self);
}

/* new OpusDecoder(rate, channels) */
static napi_value decoder_new(napi_env env, napi_callback_info info) {
  napi_value argv[2], this_arg;
  size_t argc = 2;
  opus_int32 rate;
  int channels, status;
  Decoder *self;
  napi_get_cb_info(env, info, &argc, argv, &this_arg, NULL);
  if (argc < 2) {
    fail_type(env, "new OpusDecoder(rate, channels)");
    return NULL;
  }
  if (!get_rate_and_channels(env, argv, &rate, &channels)) return NULL;
  self = (Decoder *)calloc(1, sizeof(Decoder));
  if (self == NULL) {
    fail(env, "ERR_OPUS", "out of memory");
    return NULL;
  }
  self->rate = rate;
  self->channels = channels;
  self->max_samples = rate / 1000 * MAX_PACKET_MS;
  self->scratch = (opus_int16 *)calloc((size_t)self->max_samples * channels, sizeof(opus_int16));
  self->decoder = opus_decoder_create(rate, channels, &status);
  if (self->scratch == NULL || self->decoder == NULL || status != OPUS_OK) {
    if (self->decoder != NULL) opus_decoder_destroy(self->decoder);
    free(self->scratch);
    free(self);
    fail_opus(env, status != OPUS_OK ? status : OPUS_ALLOC_FAIL);
    return NULL;
  }
  if (napi_wrap(env, this_arg, self, decoder_finalize, NULL, NULL) != napi_ok) {
    decoder_finalize(env, self, NULL);
    fail(env, "ERR_NAPI", "could not attach the decoder");
    return NULL;
  }
  return this_arg;
}

/* decode(packet, maxSamples): the packet's audio, at most maxSamples per channel. */
static napi_value decoder_decode(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Decoder *self;
  const unsigned char *data;
  opus_int32 length;
  int64_t max_samples;
  if (!get_args(env, info, 2, argv, (void **)&self)) return NULL;
  if (!get_packet(env, argv[0], &data, &length)) return NULL;
  if (!get_int(env, argv[1], 1, self->max_samples, "maxSamples must be 1 to 120 ms of audio",
               &max_samples)) {
    return NULL;
  }
  return decoded(env, self,
                 opus_decode(self->decoder, data, length, self->scratch, (int)max_samples, 0));
}

/*
 * decodeFec(nextPacket, samples): the lost packet before nextPacket, `samples` long, from the
 * redundancy nextPacket carries (libopus conceals instead when it carries none).
 */
static napi_value decoder_decode_fec(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Decoder *self;
  const unsigned char *data;
  opus_int32 length;
  int samples;
  if (!get_args(env, info, 2, argv, (void **)&self)) return NULL;
  if (!get_packet(env, argv[0], &data, &length)) return NULL;
  if (!get_granular_samples(env, argv[1], self, &samples)) return NULL;
  return decoded(env, self, opus_decode(self->decoder, data, length, self->scratch, samples, 1));
}

/* conceal(samples): exactly `samples` of packet-loss concealment. */
static napi_value decoder_conceal(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Decoder *self;
  int samples;
  if (!get_args(env, info, 1, argv, (void **)&self)) return NULL;
  if (!get_granular_samples(env, argv[0], self, &samples)) return NULL;
  return decoded(env, self, opus_decode(self->decoder, NULL, 0, self->scratch, samples, 0));
}

/* packetSamples(packet): how many samples per channel the packet decodes to at this rate. */
static napi_value decoder_packet_samples(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  Decoder *self;
  const unsigned char *data;
  opus_int32 length;
  int samples;
  if (!get_args(env, info, 1, argv, (void **)&self)) return NULL;
  if (!get_packet(env, argv[0], &data, &length)) return NULL;
  samples = opus_decoder_get_nb_samples(self->decoder, data, length);
  if (samples < 0) {
    fail_opus(env, samples);
    return NULL;
  }
  napi_create_int32(env, samples, &result);
  return result;
}

static napi_value decoder_reset(napi_env env, napi_callback_info info) {
  Decoder *self;
  if (!get_args(env, info, 0, NULL, (void **)&self)) return NULL;
  opus_decoder_ctl(self->decoder, OPUS_RESET_STATE);
  return NULL;
}

/* ---- packets ---- */

/*
 * packetHasFec(packet): whether the packet carries in-band FEC (SILK's LBRR) for the one before
 * it. SILK writes its per-frame voice-activity flags and then the LBRR flag, each as one
 * equiprobable bit, at the very start of the range coder's output (silk/enc_API.c patches them
 * in with ec_patch_initial_bits), so they are the first bits of the first frame: one VAD bit per
 * 20 ms SILK frame (one for 10 or 20 ms), then the flag; a stereo packet repeats that for the
 * side channel. CELT-only packets never carry FEC.
 */
static napi_value packet_has_fec(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  const unsigned char *data;
  const unsigned char *frames[48];
  opus_int16 sizes[48];
  opus_int32 length;
  int frame_samples, silk_frames, count, flag = 0;
  if (!get_args(env, info, 1, argv, NULL)) return NULL;
  if (!get_packet(env, argv[0], &data, &length)) return NULL;
  /* TOC configurations 16-31 are CELT-only (RFC 6716 section 3.1). */
  if ((data[0] >> 3) < 16) {
    count = opus_packet_parse(data, length, NULL, frames, sizes, NULL);
    if (count < 0) {
      fail_opus(env, count);
      return NULL;
    }
    if (count > 0 && sizes[0] > 0) {
      frame_samples = opus_packet_get_samples_per_frame(data, 48000);
      silk_frames = frame_samples > 960 ? frame_samples / 960 : 1;
      flag = (frames[0][0] >> (7 - silk_frames)) & 1;
      if (opus_packet_get_nb_channels(data) == 2) {
        flag |= (frames[0][0] >> (6 - 2 * silk_frames)) & 1;
      }
    }
  }
  napi_get_boolean(env, flag != 0, &result);
  return result;
}

/* ---- encoder ---- */

static void encoder_finalize(napi_env env, void *data, void *hint) {
  Encoder *self = (Encoder *)data;
  (void)env;
  (void)hint;
  opus_encoder_destroy(self->encoder);
  free(self);
}

/* new OpusEncoder(rate, channels, application) */
static napi_value encoder_new(napi_env env, napi_callback_info info) {
  napi_value argv[3], this_arg;
  size_t argc = 3;
  opus_int32 rate;
  int channels, status;
  int64_t application;
  Encoder *self;
  napi_get_cb_info(env, info, &argc, argv, &this_arg, NULL);
  if (argc < 3) {
    fail_type(env, "new OpusEncoder(rate, channels, application)");
    return NULL;
  }
  if (!get_rate_and_channels(env, argv, &rate, &channels)) return NULL;
  if (!get_int(env, argv[2], OPUS_APPLICATION_VOIP, OPUS_APPLICATION_RESTRICTED_LOWDELAY,
               "the application must be 2048, 2049 or 2051", &application)) {
    return NULL;
  }
  self = (Encoder *)calloc(1, sizeof(Encoder));
  if (self == NULL) {
    fail(env, "ERR_OPUS", "out of memory");
    return NULL;
  }
  self->rate = rate;
  self->channels = channels;
  self->encoder = opus_encoder_create(rate, channels, (int)application, &status);
  if (self->encoder == NULL || status != OPUS_OK) {
    if (self->encoder != NULL) opus_encoder_destroy(self->encoder);
    free(self);
    fail_opus(env, status != OPUS_OK ? status : OPUS_ALLOC_FAIL);
    return NULL;
  }
  if (napi_wrap(env, this_arg, self, encoder_finalize, NULL, NULL) != napi_ok) {
    encoder_finalize(env, self, NULL);
    fail(env, "ERR_NAPI", "could not attach the encoder");
    return NULL;
  }
  return this_arg;
}

/* Whether `samples` per channel is a frame libopus encodes: 2.5, 5, 10, 20, 40, 60, 80, 100 or 120 ms. */
static int valid_frame(opus_int32 rate, size_t samples) {
  size_t granule = (size_t)(rate / GRANULE_DIVISOR);
  if (samples == granule || samples == 2 * granule) return 1;
  return samples % (4 * granule) == 0 && samples / (4 * granule) >= 1 &&
         samples / (4 * granule) <= 12 &&
         (samples / (4 * granule) <= 2 || samples / (4 * granule) % 2 == 0);
}

/* encode(pcm): one frame of interleaved s16 as an Opus packet. */
static napi_value encoder_encode(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  Encoder *self;
  bool is_typed;
  napi_typedarray_type type;
  size_t count;
  void *pcm;
  void *copy;
  unsigned char packet[MAX_ENCODED_BYTES];
  opus_int32 bytes;
  if (!get_args(env, info, 1, argv, (void **)&self)) return NULL;
  if (napi_is_typedarray(env, argv[0], &is_typed) != napi_ok || !is_typed) {
    fail_type(env, "the audio must be an Int16Array");
    return NULL;
  }
  napi_get_typedarray_info(env, argv[0], &type, &count, &pcm, NULL, NULL);
  if (type != napi_int16_array) {
    fail_type(env, "the audio must be an Int16Array");
    return NULL;
  }
  if (count % (size_t)self->channels != 0 ||
      !valid_frame(self->rate, count / (size_t)self->channels)) {
    fail_range(env, "a frame must last 2.5, 5, 10, 20, 40, 60, 80, 100 or 120 ms");
    return NULL;
  }
  bytes = opus_encode(self->encoder, (const opus_int16 *)pcm,
                      (int)(count / (size_t)self->channels), packet, MAX_ENCODED_BYTES);
  if (bytes < 0) {
    fail_opus(env, bytes);
    return NULL;
  }
  if (napi_create_buffer_copy(env, (size_t)bytes, packet, &copy, &result) != napi_ok) {
    fail(env, "ERR_NAPI", "could not allocate the packet");
    return NULL;
  }
  return result;
}

/* The encoder settings Lumi sets, by libopus request number (opus_defines.h). */
static int settable(int64_t request) {
  switch (request) {
    case OPUS_SET_BITRATE_REQUEST:
    case OPUS_SET_VBR_REQUEST:
    case OPUS_SET_COMPLEXITY_REQUEST:
    case OPUS_SET_INBAND_FEC_REQUEST:
    case OPUS_SET_PACKET_LOSS_PERC_REQUEST:
    case OPUS_SET_DTX_REQUEST:
    case OPUS_SET_SIGNAL_REQUEST:
      return 1;
    default:
      return 0;
  }
}

/* set(request, value): one encoder setting; libopus refuses values out of its range. */
static napi_value encoder_set(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Encoder *self;
  int64_t request, value;
  int status;
  if (!get_args(env, info, 2, argv, (void **)&self)) return NULL;
  if (!get_int(env, argv[0], 0, 0x7fffffff, "not an encoder setting", &request)) return NULL;
  if (!settable(request)) {
    fail_range(env, "not an encoder setting this binding sets");
    return NULL;
  }
  if (!get_int(env, argv[1], -1000, 0x7fffffff, "the setting's value is out of range", &value)) {
    return NULL;
  }
  status = opus_encoder_ctl(self->encoder, (int)request, (opus_int32)value);
  if (status != OPUS_OK) fail_opus(env, status);
  return NULL;
}

/* ---- module ---- */

static napi_value define_class(napi_env env, const char *name, napi_callback constructor,
                               const napi_property_descriptor *methods, size_t count) {
  napi_value klass;
  if (napi_define_class(env, name, NAPI_AUTO_LENGTH, constructor, NULL, count, methods, &klass) !=
      napi_ok) {
    return NULL;
  }
  return klass;
}

#define METHOD(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_default, NULL}

static napi_value init(napi_env env, napi_value exports) {
  static const napi_property_descriptor decoder_methods[] = {
      METHOD("decode", decoder_decode),
      METHOD("decodeFec", decoder_decode_fec),
      METHOD("conceal", decoder_conceal),
      METHOD("packetSamples", decoder_packet_samples),
      METHOD("reset", decoder_reset),
  };
  static const napi_property_descriptor encoder_methods[] = {
      METHOD("encode", encoder_encode),
      METHOD("set", encoder_set),
  };
  napi_value decoder = define_class(env, "OpusDecoder", decoder_new, decoder_methods,
                                    sizeof(decoder_methods) / sizeof(decoder_methods[0]));
  napi_value encoder = define_class(env, "OpusEncoder", encoder_new, encoder_methods,
                                    sizeof(encoder_methods) / sizeof(encoder_methods[0]));
  napi_value has_fec, version;
  if (decoder == NULL || encoder == NULL) return NULL;
  napi_create_function(env, "packetHasFec", NAPI_AUTO_LENGTH, packet_has_fec, NULL, &has_fec);
  napi_create_string_utf8(env, opus_get_version_string(), NAPI_AUTO_LENGTH, &version);
  napi_set_named_property(env, exports, "OpusDecoder", decoder);
  napi_set_named_property(env, exports, "OpusEncoder", encoder);
  napi_set_named_property(env, exports, "packetHasFec", has_fec);
  napi_set_named_property(env, exports, "version", version);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
