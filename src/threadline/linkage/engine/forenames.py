"""English given names and their nicknames, and the canonical forename of each.

One line per name family: the formal name first, then the short forms and variant
spellings people are recorded under (by agencies, or as they give their own name).
A name listed in two families (Alex: Alexander, Alexandra) joins them into one: the
canonical forename only says "possibly the same name" and the sex comparison separates
the rest. Keep families small: a joined family weakens the comparison for all of it.
"""

from __future__ import annotations

from functools import cache

NAME_FAMILIES = """
abigail abby abbie abi gail
adam addy
adrian ade
agnes aggie nessa
albert bert bertie al
alexander alex alec alexandra alexa sandy sasha xander lexi
alfred alf alfie
alice ally allie alicia
amanda mandy manda
amelia millie amy mia
andrew andy drew
angela angie ange
anne ann annie anna nan nancy
anthony tony ant antony
archibald archie
arthur art artie
barbara barb babs barbie
benjamin ben benny benji
bernard bernie
elizabeth beth eliza liz lizzie lizzy libby betty bess bessie lisa elise elsie
bradley brad
brian bryan
bridget bridie biddy
caroline carol carrie lina carolyn
catherine kate katie kathryn katherine cathy kath kathy kat kitty cath kay
charles charlie chas chuck chaz
charlotte lottie lotte charley
christine chris christina chrissie tina kirsty kristina kirstie
christopher chris kit topher
clare claire clara
cornelius neil con
daniel dan danny
david dave davy davie
deborah debbie debs debra
dennis den
dominic dom
donald don donnie
dorothy dot dottie dolly
douglas doug dougie
edward ed eddie ted teddy ned edwin edmund
eleanor ellie nell nellie elle ella elena helen helena lena
emily em emmy emma
eugene gene
evelyn evie eve
florence flo florrie
frances fran fanny francesca
francis frank frankie
frederick fred freddie freddy fredrick
gabriel gabe gabriella gabby
geoffrey geoff jeff jeffrey
george georgie geordie georgina
gerald gerry jerry gerard
gillian gill jill jillian
gregory greg
harold harry hal
henry hank
harriet hattie
isabel isabella izzy bella isobel
jacob jake jakey
james jim jimmy jamie jem
janet jan jenny jennifer jen jennie
jacqueline jacqui jackie
jessica jess jessie
john jack johnny jon jonny
jonathan
joseph joe joey jo josephine josie jojo
joshua josh
judith judy jude
julian jules julie juliet julia
karen karin caren
kenneth ken kenny
kimberley kim kimberly
lawrence laurence larry laurie
leonard leo len lenny leon
lewis louis lou
louise louisa lulu
lucy lucinda lucie
madeleine maddie madeline maddy madison
margaret maggie meg peggy marge madge greta maisie daisy rita
marjorie margery
martin marty
mary molly polly mae may maria marie
matilda tilly tilda mattie
matthew matt matty
michael mike mick micky mikey mickey
mildred
natalie nat nattie natasha tasha
nathan nate nathaniel
nicholas nick nicky nico
nicola nikki nicole
oliver ollie olly olivia liv livvy
patricia pat patty trish tricia
patrick paddy
penelope penny
peter pete
philip phil pip phillip
rebecca becky becca bex
richard rick ricky dick dickie rich richie
robert rob robbie bob bobby
ronald ron ronnie
rosemary rose rosie rosa rosalind roz
samuel sam sammy samantha sammie
sarah sara sally sadie
sebastian seb bastian
simon si
sophia sophie sophy
stephen steve steven stevie stephanie steph
stuart stu stewart
susan sue susie suzanne susannah suzy
terence terry tel
theodore theo teddie
thomas tom tommy thom
timothy tim timmy
valerie val
victoria vicky tori vikki
vincent vince vinnie
walter walt wally
william will bill billy willie liam wills
zachary zach zack zak
"""

# Other given names without common short forms. With the families above they are the
# names the twins rule treats as real: "Jonh" (not a name) beside "John" is a typing
# error, while "Jaden" beside "Jayden" may be a twin (comparisons.TWINS_SQL).
OTHER_GIVEN_NAMES = """
aaron aiden aisha alan amber andrea aoife ashley ashton ava bethan beverly brandon
brenda brittany callum carl carys chloe connor courtney craig cynthia danielle darren
dean declan denise diana diane donna doris dylan eilidh elliot ellis eric ethan ewan
ffion finley freya gary gloria grace hamish hannah heather holly isaac isla ivy jade
jaden jason jayden jeremy jean joan joyce justin kai kayla kayleigh keeley keith kelly
kevin kieran kyle laura lauren layla leah lee linda lionel logan lori louie luke lily
marilyn mark martha maya megan melissa michelle mya nadia niamh noah oscar owen paige
pamela paul phoebe poppy rachel raymond reuben rhiannon rhys riley rory ruby ruth ryan
scott shane shannon sharon shirley sienna teresa theresa tia toby tyler virginia wayne
zara
"""


def _build() -> dict[str, str]:
    """Union the families that share a name; each name maps to its family's first name."""
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for line in NAME_FAMILIES.strip().splitlines():
        names = [n.upper() for n in line.split()]
        for name in names:
            parent.setdefault(name, name)
        root = find(names[0])
        for name in names[1:]:
            other = find(name)
            if other != root:
                parent[other] = root
    return {name: find(name) for name in parent}


@cache
def _canonical_table() -> dict[str, str]:
    return _build()


def canonical_forename(name: str | None) -> str | None:
    """The family name of a normalised (upper-case) forename; the name itself if unknown."""
    if not name:
        return None
    return _canonical_table().get(name, name)


@cache
def _known() -> frozenset[str]:
    return frozenset(_canonical_table()) | frozenset(OTHER_GIVEN_NAMES.upper().split())


def is_known_forename(name: str | None) -> bool:
    """Whether a normalised forename is in Threadline's list of given names."""
    return bool(name) and name in _known()


def family_sizes() -> dict[str, int]:
    """How many names each canonical forename covers (for docs and tests)."""
    sizes: dict[str, int] = {}
    for canonical in _canonical_table().values():
        sizes[canonical] = sizes.get(canonical, 0) + 1
    return sizes
