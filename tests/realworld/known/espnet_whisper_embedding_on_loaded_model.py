"""Known false finding (issue 11, JUDGED_11 Session 2b), distilled from espnet2/asr/decoder/whisper_decoder.py:
a new token embedding is assigned to an attribute of a model loaded from another library
(`self.decoders.token_embedding = nn.Embedding(...)`) and drawn right after through the same path
(`nn.init.normal_(self.decoders.token_embedding.weight, ...)`). The analysis does not follow the layer
through the attribute of the other library's module, so it reports INI006 on an initialized layer.
no-verify (whisper is not installed)."""
import torch
import whisper


class WhisperDecoder(torch.nn.Module):
    def __init__(self, vocab_size, attention_dim):
        super().__init__()
        self.decoders = whisper.load_model("small").decoder
        std, mean = torch.std_mean(self.decoders.token_embedding.weight)
        self.decoders.token_embedding = torch.nn.Embedding(vocab_size, attention_dim)
        torch.nn.init.normal_(self.decoders.token_embedding.weight, mean.item(), std.item())
