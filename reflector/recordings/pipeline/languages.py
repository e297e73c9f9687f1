"""Whisper's languages, by ISO 639 code and English name
(https://github.com/openai/whisper/blob/main/whisper/tokenizer.py)."""

_LANGUAGES = """
english en chinese zh german de spanish es russian ru korean ko french fr japanese ja
portuguese pt turkish tr polish pl catalan ca dutch nl arabic ar swedish sv italian it
indonesian id hindi hi finnish fi vietnamese vi hebrew he ukrainian uk greek el malay ms
czech cs romanian ro danish da hungarian hu tamil ta norwegian no thai th urdu ur
croatian hr bulgarian bg lithuanian lt latin la maori mi malayalam ml welsh cy slovak sk
telugu te persian fa latvian lv bengali bn serbian sr azerbaijani az slovenian sl
kannada kn estonian et macedonian mk breton br basque eu icelandic is armenian hy
nepali ne mongolian mn bosnian bs kazakh kk albanian sq swahili sw galician gl marathi mr
punjabi pa sinhala si khmer km shona sn yoruba yo somali so afrikaans af occitan oc
georgian ka belarusian be tajik tg sindhi sd gujarati gu amharic am yiddish yi lao lo
uzbek uz faroese fo haitian ht pashto ps turkmen tk nynorsk nn maltese mt sanskrit sa
luxembourgish lb myanmar my tibetan bo tagalog tl malagasy mg assamese as tatar tt
hawaiian haw lingala ln hausa ha bashkir ba javanese jw sundanese su cantonese yue
"""
_PAIRS = _LANGUAGES.split()
_CODES = dict(zip(_PAIRS[::2], _PAIRS[1::2], strict=True))
_NAMES = {code: name for name, code in _CODES.items()}


def code_of(name_or_code: str) -> str:
    """ "german" or "de" as "de"; what is neither, as it is."""
    return _CODES.get(name_or_code.lower(), name_or_code)


def name_of(code: str) -> str | None:
    """ "de" as "German"; None for a code Whisper does not know (such as "und")."""
    name = _NAMES.get(code)
    return name.capitalize() if name else None
