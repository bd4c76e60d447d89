"""English words that carry no topic: filler, question words, and words for "a view".

They are English, not the campaign's: the campaign's own word lists are in the pack
(`language.yaml`).
"""

from __future__ import annotations

from bot.text import words

POST = "_post_"  # stands for the post being elected, which is no topic of its own

# Words that carry no topic. Question words are kept apart: they signal intent.
STOPWORDS = words(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each
    few for from further had has have having her here hers herself hi hello hey him
    himself i if in into is it its itself just me more most my myself no nor not now of
    off on once only or other our ours ourselves out over own same she should so some
    such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what whats which while who whom whose
    why with would you your yours yourself yourselves will shall may might must ok okay
    pls please plz thanks thank cheers mate lol yeah yes yep u ur im ive id ill youre
    theyre thats theres hes shes weve youve theyve wed youd theyd theyll youll itll
    whove couldve wouldve shouldve isnt arent wasnt werent dont doesnt didnt cant couldnt
    wont wouldnt shouldnt hasnt havent hadnt get got gets also anything something
    everything really actually tell know let like want wants need needs thing
    things bit lot lots much many way us go going gonna wanna say says said see make
    makes made anyone someone everyone nobody noone people person
    ever never always often sometimes already still yet again ago since also else
    become becomes became becoming kind kinds sort sorts type types whole part parts
    behind across along among around within without upon onto toward towards beside
    besides via per able unable allowed allow allows lets fill fills filled use used
    uses using try tries tried give gives given take takes took taken put puts keep
    keeps kept come comes came seem seems seemed look looks looked find finds found
    mind matter matters sure probably maybe perhaps quite rather enough even though
    although however whether either neither each every any many much more most less
    least lot lots bit thing things stuff way ways day supposed ought another s t d ll m re ve
    """
)

QUESTION_WORDS = words(
    """
    when what where who how why which whats wen wot wat hw whens whos hows
    """
)

# Words that say "opinion" or "plan" but not what about; they never count as a topic.
GENERIC = words(
    """
    think thinks view views stance position positions policy policies plan plans opinion
    opinions feel feels believe believes on about regarding re intend intends promise
    promises pledge pledges commit commits commitment commitments priority priorities
    doing do did happen happens happening going will would gonna idea ideas approach
    agenda offer offers fight fights fighting tackle tackles tackling deal deals dealing
    bring brings bringing push pushes pushing handle sort fix anything happened work works
    election elections time times better best good great improve improved improving fewer
    less lower higher bigger smaller mean means meaning meant definition define explain
    explanation care cares caring answer answers response percentage next first main key
    new current latest stop stops stopping prevent prevents aim aims goal goals period
    worried worry worries concerned bothered keen interested strategy strategies level
    levels relationship relationships problem problems issue issues quick quickly final
    hiya reason reasons role roles purpose
    """
)
