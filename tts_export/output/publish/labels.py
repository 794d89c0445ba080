"""The page's own words in the transcript's language: a language tag in; labels out.

Chinese pages get Chinese labels, every other language English ones (the two
languages the project renders). Labels with ``{n}`` are filled in by the
page's script or by ``page``.
"""

from __future__ import annotations

from collections.abc import Mapping

from tts_export.captions.readable import metadata_labels
from tts_export.common.lang import is_chinese

_ZH: Mapping[str, str] = {
    "skip": "跳到文字稿",
    "listen": "收听",
    "audio_fallback": "你的浏览器不能播放这段音频，请下载：",
    "captions": "中文字幕",
    "chapters": "章节",
    "speed": "播放速度",
    "follow": "朗读时自动滚动文字稿",
    "caption": "当前字幕：",
    "timeline": "谁在何时说话",
    "timeline_help": "每个章节一条，每行一位说话人，自上而下：{speakers}。点击可跳到该处。",
    "timeline_text": "文字说明",
    "turns": "{n} 段",
    "downloads": "下载",
    "audio": "音频",
    "srt": "字幕（SRT）",
    "vtt": "字幕（WebVTT）",
    "ass": "字幕（ASS）",
    "txt": "文字稿（纯文本）",
    "html": "文字稿（网页）",
    "transcript_json": "文字稿（JSON）",
    "chapters_json": "章节（JSON）",
    "transcript": "文字稿",
    "search": "在文字稿中搜索",
    "next": "下一处",
    "prev": "上一处",
    "hits": "{n} 句匹配",
    "no_hits": "没有匹配的句子",
    "notes": "注释",
    "narrator": "旁白",
    "colon": "：",
    "footer": "由 tts-export 生成；声音为合成语音。",
}
_EN: Mapping[str, str] = {
    "skip": "Skip to the transcript",
    "listen": "Listen",
    "audio_fallback": "Your browser cannot play this audio; download it: ",
    "captions": "English captions",
    "chapters": "Chapters",
    "speed": "Playback speed",
    "follow": "Scroll the transcript along with the audio",
    "caption": "Current caption: ",
    "timeline": "Who speaks when",
    "timeline_help": "One strip per chapter, one row per speaker, top to bottom: {speakers}. "
    "Click to play from there.",
    "timeline_text": "As text",
    "turns": "{n} turns",
    "downloads": "Downloads",
    "audio": "Audio",
    "srt": "Captions (SRT)",
    "vtt": "Captions (WebVTT)",
    "ass": "Captions (ASS)",
    "txt": "Transcript (plain text)",
    "html": "Transcript (web page)",
    "transcript_json": "Transcript (JSON)",
    "chapters_json": "Chapters (JSON)",
    "transcript": "Transcript",
    "search": "Search the transcript",
    "next": "Next",
    "prev": "Previous",
    "hits": "{n} sentences match",
    "no_hits": "No sentence matches",
    "notes": "Notes",
    "narrator": "Narrator",
    "colon": ": ",
    "footer": "Made with tts-export; the voices are synthetic.",
}


def labels(language: str) -> Mapping[str, str]:
    """The page's labels for a transcript in ``language`` (a BCP-47 tag).

    The metadata field names come from the readable transcripts, so both say the same.
    """
    own = _ZH if is_chinese(language) else _EN
    return {**metadata_labels(language), **own}
