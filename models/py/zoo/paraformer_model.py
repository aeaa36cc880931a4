"""The zoo Paraformer: SAN-M encoder -> CIF predictor -> NAR SAN-M decoder.

Inference (`infer`) is the offline FunASR export forward: LFR+CMVN features [B,T,560] and
int32 lengths in, log-softmax scores [B, N, V] and int32 token_num out (section 3.1).

Training (`forward`) follows FunASR's Paraformer:
  * target convention (predictor_bias = 1): each target row is the real token ids followed
    by </s> (id 2), padded with IGNORE_ID (-1); `make_targets` builds it. The CIF is
    teacher-forced to that length (len + 1), so the decoder learns to put </s> right after
    the last real token, and at inference CIF's floor(sum alpha + tail) counts it too.
    sherpa stops at the first </s>; FunASR's runtime keeps token_num - 1 tokens.
  * loss = CE (label-smoothed) on the decoder output + predictor_weight * |sum alpha - (len + 1)|.
  * optional glancing sampler (sampling_ratio > 0): a first decoder pass without
    gradients counts each utterance's errors; ratio * errors random positions get the
    target token's embedding instead of the CIF embedding for the second pass.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .paraformer_attention import length_mask
from .paraformer_cif import CifPredictor, quantity_loss
from .paraformer_config import EOS_ID, IGNORE_ID, ParaformerConfig
from .paraformer_decoder import SanmDecoder
from .paraformer_encoder import SanmEncoder


def make_targets(token_ids: Sequence[Sequence[int]]) -> Tuple[torch.Tensor, torch.Tensor]:
    """Real token ids per utterance -> (targets int64 [B, L+1] = ids + [</s>] padded with
    IGNORE_ID, lengths int64 [B] counting the </s>)."""
    rows = [list(ids) + [EOS_ID] for ids in token_ids]
    longest = max(len(r) for r in rows)
    targets = torch.full((len(rows), longest), IGNORE_ID, dtype=torch.int64)
    for i, r in enumerate(rows):
        targets[i, : len(r)] = torch.tensor(r, dtype=torch.int64)
    return targets, torch.tensor([len(r) for r in rows], dtype=torch.int64)


class Paraformer(nn.Module):
    def __init__(self, cfg: ParaformerConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.encoder = SanmEncoder(cfg)
        self.predictor = CifPredictor(cfg)
        self.decoder = SanmDecoder(cfg)

    def encode(
        self, speech: torch.Tensor, lengths: torch.Tensor, embed: bool = True
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        return self.encoder(speech, lengths, embed=embed)

    def infer(self, speech: torch.Tensor, lengths: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Offline contract: -> (log-probs [B, max token_num, V], token_num int32 [B])."""
        enc, enc_mask = self.encode(speech, lengths)
        embeds, token_num, _ = self.predictor.forward_infer(enc, enc_mask)
        token_mask = length_mask(token_num, embeds.shape[1])
        logits = self.decoder(embeds, token_mask, enc, enc_mask)
        return torch.log_softmax(logits, dim=-1), token_num

    def infer_timestamps(
        self, speech: torch.Tensor, lengths: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Offline contract with BiCif timestamp outputs: -> (log-probs, token_num int32,
        us_alphas [B, 3T], us_cif_peak [B, 3T]); see CifPredictor.upsampled_timestamps."""
        enc, enc_mask = self.encode(speech, lengths)
        embeds, token_num, alphas = self.predictor.forward_infer(enc, enc_mask)
        token_mask = length_mask(token_num, embeds.shape[1])
        logits = self.decoder(embeds, token_mask, enc, enc_mask)
        us_alphas, us_cif_peak = self.predictor.upsampled_timestamps(alphas, token_num)
        return torch.log_softmax(logits, dim=-1), token_num, us_alphas, us_cif_peak

    def forward(
        self,
        speech: torch.Tensor,
        lengths: torch.Tensor,
        targets: torch.Tensor,
        target_lengths: torch.Tensor,
        label_smoothing: float = 0.1,
        predictor_weight: float = 1.0,
        sampling_ratio: float = 0.0,
        generator: Optional[torch.Generator] = None,
        ctc_head: Optional[nn.Module] = None,
        ctc_weight: float = 0.0,
    ) -> Dict[str, torch.Tensor]:
        """targets/target_lengths from `make_targets` (they already end in </s>).

        `ctc_head` (training only, not part of the exported model): a projection of the encoder
        output to the vocabulary trained with CTC (blank 0) at `ctc_weight`, as FunASR's
        Paraformer recipes do (ctc_weight 0.3): it gives the encoder a direct alignment signal
        while the CIF and the decoder are still guessing."""
        enc, enc_mask = self.encode(speech, lengths)
        embeds, predicted = self.predictor.forward_train(enc, enc_mask, target_lengths)
        token_mask = length_mask(target_lengths, targets.shape[1])
        first_pass: Optional[torch.Tensor] = None
        if sampling_ratio > 0.0:
            embeds, first_pass = self._glance(
                embeds, token_mask, enc, enc_mask, targets, sampling_ratio, generator
            )
        logits = self.decoder(embeds, token_mask, enc, enc_mask)
        vocab = logits.shape[-1]
        loss_att = F.cross_entropy(
            logits.reshape(-1, vocab),
            targets.reshape(-1),
            ignore_index=IGNORE_ID,
            label_smoothing=label_smoothing,
        )
        loss_pre = quantity_loss(predicted, target_lengths)
        scored = first_pass if first_pass is not None else logits
        valid = targets != IGNORE_ID
        correct = ((scored.argmax(-1) == targets) & valid).sum()
        loss = loss_att + predictor_weight * loss_pre
        loss_ctc = torch.zeros(())
        if ctc_head is not None and ctc_weight > 0.0:
            log_probs = torch.log_softmax(ctc_head(enc), dim=-1).transpose(0, 1)  # [T, B, V]
            enc_lengths = enc_mask.reshape(enc.shape[0], -1).sum(-1).to(torch.int64)
            real = (targets != IGNORE_ID) & (targets != EOS_ID)  # CTC targets: the tokens, no </s>
            loss_ctc = F.ctc_loss(log_probs, targets.clamp_min(0) * real, enc_lengths, real.sum(-1), blank=0,
                                  reduction="mean", zero_infinity=True)
            loss = (1.0 - ctc_weight) * loss + ctc_weight * loss_ctc
        return {
            "loss": loss,
            "loss_ctc": loss_ctc.detach(),
            "loss_att": loss_att.detach(),
            "loss_pre": loss_pre.detach(),
            "acc": correct.to(torch.float32) / valid.sum().clamp_min(1).to(torch.float32),
        }

    def _glance(
        self,
        embeds: torch.Tensor,
        token_mask: torch.Tensor,
        enc: torch.Tensor,
        enc_mask: torch.Tensor,
        targets: torch.Tensor,
        ratio: float,
        generator: Optional[torch.Generator],
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        with torch.no_grad():
            first = self.decoder(embeds, token_mask, enc, enc_mask)
            wrong = ((first.argmax(-1) != targets) & token_mask).sum(dim=1)
            n_glance = torch.floor(wrong.to(torch.float32) * ratio).to(torch.int64)
            noise = torch.rand(targets.shape, generator=generator, device=targets.device)
            noise = noise.masked_fill(~token_mask, 2.0)  # padding sorts last, never picked
            rank = noise.argsort(dim=1).argsort(dim=1)
            use_target = rank < n_glance[:, None]
        target_embeds = self.decoder.embed(targets.clamp_min(0))
        mixed = torch.where(use_target[:, :, None], target_embeds, embeds)
        return mixed * token_mask[:, :, None].to(mixed.dtype), first

    @torch.no_grad()
    def greedy_tokens(self, speech: torch.Tensor, lengths: torch.Tensor) -> List[List[int]]:
        """sherpa's rule: argmax per position, stop at the first </s>."""
        log_probs, token_num = self.infer(speech, lengths)
        out: List[List[int]] = []
        for b in range(log_probs.shape[0]):
            ids: List[int] = []
            for k in range(int(token_num[b])):
                best = int(log_probs[b, k].argmax())
                if best == EOS_ID:
                    break
                ids.append(best)
            out.append(ids)
        return out
