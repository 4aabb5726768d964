"""The wordings of a year-end message, in any of our languages: what closes the year
(:data:`CLOSING`, the strong "what" of :mod:`.year_end`), a leader and their message
(:data:`LEADER`, :data:`MESSAGE`), and what only a title says (:data:`TITLE_ONLY`).

Each is a regular expression's source (or, for :data:`TITLE_ONLY`, compiled), matched
against normalised text (:func:`.rules.normalise`), accents tolerated.
"""

from __future__ import annotations

from .accents import compile_tolerant

# plural wins, never one: "victory in 2023" may be one court's ruling
WINS = (
    r"(?:wins|victories|successes|achievements|accomplishments|good news"
    r"|(?:biggest|best|proudest) moments|triumphs|victoires|triomphes|succès|réussites"
    r"|temps forts|bonnes nouvelles|avancées)"
)
# the seasons a leader's message is named for ("Christmas message", "Hanukkah greetings")
SEASON = r"holiday|christmas|xmas|new year'?s?|festive|seasonal|hanukkah|chanukah|hanoucca|hanouka"
# a church's leaders, who speak to their faithful as a president to members
CLERGY = (
    r"(?:arch)?bishop|(?:arch)?évêque|pastor|pasteur|rabbi|rabbin|imam"
    # ("The Primate of all Nigeria …", "le patriarche maronite … son message de Noël")
    r"|primate|patriarch|patriarche|metropolitan|métropolite"
)
# the year's end in any of our languages ("year-end", "end of the year", "fin d'année")
YEARS_END = (
    r"(?:year[- ]?end|end[- ]of[- ](?:the[- ])?year|fin d'(?:une )?année|fin de l'année|fin de año)"
)
# the strong "what": the message says it belongs to the year's end
CLOSING = (
    rf"{YEARS_END}[- ](?:thank[- ]you |thanks )?(?:message|letter|note|address|greeting|reflection"
    r"|statement|update|wrap-?up|recap|highlights|hi-?lights|review|roundup|speech)s?"
    rf"|(?:message|letter|lettre|mensaje|carta|édito|éditorial|mot|discours)s?"
    rf" (?:de |d'|of |for )?(?:la |the )?{YEARS_END}"
    r"|(?:the |our |a |my )?year in (?:review|numbers|pictures|human rights|photos)"
    r"|(?:the|our|a) year (?:behind|that was)"
    r"|look(?:s|ing)? back (?:on|at) (?:20\d\d|the year|this year|a year)"
    # a look back and ahead at the turn of the year ("A Look Back and A Look Ahead from
    # the Steering Committee", "Bilan et perspectives")
    r"|look(?:ing)? back,? (?:and |& )?(?:a )?look(?:ing)? (?:ahead|forward)"
    r"|bilan (?:\d{4} )?et perspectives"
    r"|(?:\w+ )?in review|year[- ]in[- ]review|bilan (?:de l'année|annuel|\d{4}|de \d{4})"
    r"|l'année (?:20\d\d )?en (?:revue|images|chiffres)|rétrospective"
    # the feast celebrated together, the year changing ("As we celebrate the birth of Jesus
    # Christ on December 25, the Archbishop …", "Le changement d'année nous donne
    # l'occasion de …")
    r"|as we celebrate (?:the birth of (?:jesus )?christ|christmas|the nativity)"
    r"|le changement d'année"
    r"|retour sur (?:l'année|20\d\d)"
    r"|(?:meilleurs |nos )?voeux|meilleurs voux|balance del año|resumen del año|el año en"
    # ... or its last month ("As December draws to a close and we reflect on …")
    r"|as (?:an? \w+ (?:year|20\d\d)|20\d\d|this year|the year|december)"
    r" (?:draws|comes|came|drew"
    r"|is drawing"
    r"|is coming) to (?:a close|an end)|as (?:20\d\d|the year|this year) (?:begins? to )?"
    r"winds? down|as we wind down (?:20\d\d|the year|this (?:\w+ )?year)"
    r"|(?:as we|we) (?:near|approach|reach|come close to|move towards) the end of"
    r" (?:20\d\d|the year|this year)"
    # ... or its wrap ("As our 20th year wraps up", "As we come to the end of year 2017")
    r"|as (?:our|the|this) (?:[\w'-]+ )?year (?:wraps|is wrapping) up"
    r"|as we come to the end of (?:the )?(?:year (?:19|20)\d\d|(?:19|20)\d\d|the year"
    r"|this year)"
    r"|alors que (?:20\d\d|l'année|cette année) s'achève"
    r"|(?:l'|une |cette )année qui (?:s'achève|se termine|touche à sa fin)"
    # an opening sentence that closes the year ("Another year is now drawing to a
    # close", "L'année 2020 s'achève"), not a clause ("l'enquête ouverte en 2019 se
    # termine par un non-lieu"; "Procès : l'année se termine sans verdict")
    r"|(?<![\w:] )(?:another (?:[\w'-]+ )?year (?:has (?:passed|gone by|come and gone|ended)"
    r"|is (?:now )?(?:drawing|coming) to (?:a close|an end)|comes to (?:a close|an end)"
    r"|is over)"
    r"|(?:l'année |cette année )?(?:20\d\d|l'année|cette année) (?:s'achève|se termine"
    r"|touche à sa fin"
    r"|est morte"
    r"|tire à sa fin|est (?:enfin )?(?:finie|terminée|achevée))"
    r"|(?:19|20)\d\d (?:aura été|laissera (?:le souvenir d')?)(?:une|l')année"
    # ... or said to be over, or not easy ("L'année 2022 s'est terminée avec …", "L'année
    # 2020 n'a pas été de tout repos", "this year has not been easy")
    r"|(?:l'année (?:19|20)\d\d|(?:19|20)\d\d) s'est (?:terminée|achevée|close)"
    r"|(?:l'année (?:(?:19|20)\d\d )?|(?:19|20)\d\d )n'a pas été (?:une année )?"
    r"(?:de tout repos|facile|simple|ordinaire)"
    r"|(?:this|the past) year (?:has not|hasn't) been (?:an? )?(?:easy|simple|ordinary)"
    r"|(?:this|the) past year (?:was|has been)"
    r"|(?:it's been|it was|it has been) (?:quite |such )?an? (?:\w+ ){0,2}year(?!s? since)"
    r"|what a year(?=\W*$|\W*\n|!| (?:it|this|that|(?:19|20)\d\d) (?:has been|was|is))"
    # ... with its epithets ("What a wonderful year we have had", "What an incredible
    # year it's been")
    r"|what an? (?:[\w'-]+ ){1,2}year (?:we'?ve had|we have had|we had|it'?s been"
    r"|it has been|(?:19|20)\d\d (?:has been|was))"
    r"|what a difference a year makes"
    r"|as we (?:enter|begin|start|step into|embrace|welcome|greet) (?:the |a )?new (?:year"
    r"|decade)"
    # ... or the season prepared for ("As we prepare to celebrate Christmas, I pray …")
    r"|as we prepare (?:to celebrate |for )(?:christmas|the (?:holidays|festive season"
    r"|new year|birth of))"
    r"|as we (?:enter|begin|start) (?:19|20)\d\d)"
    # ... or said in passing ("Well that was quite a year.")
    r"|(?:that|(?:19|20)\d\d) was (?:quite|some|such|one hell of) an? (?:[\w'-]+ )?year(?! ago)"
    r"|en cette fin d'année|(?:at|as we reach) the end of (?:this|the) year"
    # ... or its last days ("on the penultimate day of 2017", "the week between
    # Christmas and New Year's")
    r"|(?:(?:last|final|closing) week|(?:last|final|penultimate) day) of (?:the year|this year"
    r"|(?:19|20)\d\d)(?!\d)|(?:week|days) between christmas and (?:the )?new year"
    # ... or the house's last word of it ("This is the final blog of the year. We not
    # only say farewell to 2009, …")
    r"|(?:last|final) (?:blog|post|newsletter|column|issue|edition|update|message|letter)"
    r" (?:of|for|in) (?:the year|this year|(?:19|20)\d\d(?!\d)|an? (?:[\w'-]+ )?year)"
    r"|(?:farewell|goodbye|adieu|au revoir) (?:to )?(?:(?:19|20)\d\d(?!\d)|the old year)"
    r"|(?:annual|year-end|winter|end-of-year) (?:fundraising|fund drive|appeal|campaign)"
    r"|fundrais(?:er|ing campaign)|campaign total|support (?:our work|us) (?:for|in) 20\d\d"
    r"|(?:the|a|what a) year (?:20\d\d )?(?:has been|was)"
    r"|20\d\d (?:has been|was) (?:quite |such |truly |really )?an?"
    # the same in French and Spanish ("l'année 2021 a été difficile", "2022 fue un año")
    r"|l'année (?:20\d\d )?(?:a été|fut)|20\d\d (?:a été|fut|ha sido|fue) (?:une|un)\b"
    # ... or said of the year by its number alone ("2021 fut difficile pour …")
    r"|20\d\d (?:a été|fut) (?:si |très |particulièrement )?(?:difficile|compliquée?|riche"
    r"|intense|éprouvante|dure|exceptionnelle|particulière|mouvementée)"
    r"|el año (?:20\d\d )?(?:ha sido|fue)"
    r"|(?:19|20)\d\d (?:was|has been) (?:full of|filled with)|(?:it's|it is) almost (?:a new"
    r" year|(?:19|20)\d\d)"
    # ... or nearly over, or the new one here ("It's almost the end of the year", "It's hard
    # to believe 2018 is already here", "Kicking off another year", "Bishops greet New Year")
    r"|(?:it's|it is) (?:almost|nearly) the end of (?:the|this) year"
    r"|(?:19|20)\d\d is (?:already|finally|officially) here"
    r"|(?:kick(?:s|ing|ed)? off|ring(?:s|ing)? in) (?:another|a new|the new) year"
    r"|(?:greet|greets|greeting|welcome|welcomes|welcoming) (?:the )?new year'?s?(?! day)"
    # ... or the season's thanks from the house ("In the spirit of this holiday season, the
    # Office … pauses to thank its exceptional partners")
    r"|in the spirit of (?:this|the) (?:holiday|festive|christmas) season,? (?:[\w'()-]+ ){0,8}?"
    r"(?:pauses? to )?thank|(?:has had|have had|had) an? (?:[\w'-]+ ){0,2}(?:19|20)\d\d\b"
    r"|reflect(?:ing)? (?:on|upon) (?:(?:19|20)\d\d|the year|this year|the past year)"
    r"|bonne (?:et (?:heureuse|belle) )?année|belle et heureuse année|happy new year"
    r"|the year ahead|l'année à venir"
    # the new year looked to ("Looking Ahead in 2016", "Looking to a new year at the
    # Food Bank"); not welcomed alone ("Welcome to 2016": a committee's January agenda)
    r"|look(?:s|ing)? ahead (?:to|in|at|into) (?:19|20)\d\d(?!\d)"
    r"|look(?:s|ing)? (?:ahead |forward )?to (?:a|the) new year"
    # the new year greeted by its number ("Happy 2020!", "Bonne année 2019")
    r"|(?:happy|feliz|bonne) (?:19|20)\d\d(?!\d)|season'?s'? greetings"
    r"|messages? (?:de (?:voeux|veux|souhaits) )?(?:des fêtes|du temps des fêtes|de noël"
    r"|du nouvel an)"
    # ... named by its sender ("Message de la CEM pour Noël et le Nouvel an")
    r"|(?:messages?|lettres?(?! ouvertes?)) (?:[\w'-]+ ){1,8}?pour (?:noël|le nouvel an|les fêtes)"
    r"|vive (?:l'année |la nouvelle année)"
    r"|bonnes? (?:fin d'année|fêtes de fin d'année)"
    r"|(?:bonnes|joyeuses) et (?:heureuses|joyeuses|belles|bonnes) fêtes"
    rf"|(?:{SEASON})(?: seasons?'?s?)?"
    r" (?:message|statement|greeting|letter|special|update|wrap-up|wish|speech|address"
    r"|welcome)(?:e?s)?"
    # ... or wished ("a belated note of best wishes for the start of a new year",
    # "Greetings to you in this season of love and cheer")
    r"|wishes for (?:the start of )?(?:a |the )?(?:new year|(?:19|20)\d\d(?!\d)|the holidays"
    r"|the festive season)"
    r"|greetings to (?:you|all)(?: [\w'-]+){0,3}? (?:in|at|during|for) this"
    r" (?:[\w'-]+ ){0,4}?season"
    # ... or thanks for the year, or the year said to close ("… a huge thank you to all
    # our supporters over the last year", "THE year 2010 is rolling and coming to a close")
    r"|thank you to (?:all )?(?:of )?(?:our|my) (?:[\w'-]+ )?(?:supporters|members|donors"
    r"|volunteers|friends) (?:over|for|during|throughout|in) (?:the (?:last|past) year"
    r"|this year|(?:19|20)\d\d(?!\d))"
    # (an opening sentence, not a clause: "… as the year 2010 is coming to an end")
    r"|(?<![\w:] )(?:the|this) year (?:(?:19|20)\d\d )?is (?:[\w'-]+ and )?(?:coming"
    r"|drawing) to (?:a close|an end)"
    # a leader's homily for the season, named in a report ("… said today in his New
    # Year's 'World Day of Peace' homily", "l'homélie de la messe de Noël")
    rf"|(?:{SEASON})(?: [\w'-]+){{0,5}}? (?:homil(?:y|ies)|sermons?)"
    r"|homélie (?:de |du |pour )(?:la (?:messe|nuit|veillée) (?:de |du )?)?"
    r"(?:minuit |jour de )?(?:noël|nouvel an|l'an|la saint-sylvestre)"
    # the year closed as a wrap ("2020 Wrapped", "…and that's a wrap for 2022!")
    r"|(?:19|20)\d\d wrapped|a wrap (?:for|on) (?:19|20)\d\d|wrap(?:ping)? up (?:19|20)\d\d"
    # the season's wishes from the organisation ("La FTQ vous souhaite un heureux temps
    # des Fêtes !", "… vous souhaitent de joyeuses fêtes")
    r"|(?:heureux|joyeux|bon) temps des fêtes"
    # ... or greeted ("nous tenons à vous saluer pour ces fêtes"), or the year's page turned
    # ("La page 2023 étant tournée, reste désormais à écrire … celle de 2024")
    r"|vous (?:saluer|saluons|salue) (?:[\w'-]+ ){0,2}?(?:pour|en) (?:ces|les|cette) (?:fêtes"
    r"|fin d'année|nouvelle année)"
    r"|la page (?:de )?(?:l'année )?(?:19|20)\d\d (?:est |étant |a été |vient d'être )?tournée"
    r"|tourn(?:er|ons|é) la page (?:de )?(?:l'année )?(?:19|20)\d\d"
    r"|(?:vous|nous vous) souhait(?:e|ent|ons|er) (?:un |une |de |d'|des )?(?:[\w'-]+ ){0,2}"
    r"(?:fêtes|noël|année)"
    r"|(?:message|greetings?|letter|wishes) (?:[\w.'-]+ ){0,4}for the (?:holiday|festive)"
    r" seasons?"
    r"|reflections? on (?:20\d\d|the year|this year|the past year)|réflexions? sur 20\d\d"
    r"|(?:19|20)\d\d (?:reflections?|in reflection)|a look (?:back )?at (?:19|20)\d\d"
    # an opening that looks back from the year's end ("With the year coming to an end",
    # "When 2020 began, few could have imagined …")
    r"|(?:as|with) (?:the|this) year (?:coming|drawing|nearing) (?:to )?(?:a close|an end"
    r"|its end)|with (?:19|20)\d\d (?:coming|drawing|nearing) (?:to )?(?:a close|an end"
    r"|its end)|(?:the|at the) end of another (?:[\w'-]+ )?year"
    r"|when (?:(?:19|20)\d\d|this year|the year) (?:began|started)"
    # the organisation's own list of the year's wins ("Nos succès 2023", "Victoires pour
    # les droits humains en 2024", "This year's epic human rights wins", "10 of your
    # biggest moments in 2014"); a list of the year's *stories* is a roundup (_ROUNDUP)
    rf"|{WINS}(?: [\w'-]+){{0,5}}? (?:of|from|in|en|de|qui ont marqué|that marked)"
    r" (?:20\d\d|the year|this year|the past year|l'année|cette année)"
    rf"|{WINS}(?: [\w'-]+){{0,5}}? (?:19|20)\d\d\W*(?=\n)"  # at the title's end
    rf"|(?:this|last|the) year'?s (?:[\w'-]+ ){{0,3}}{WINS}"
    rf"|(?:19|20)\d\d's (?:[\w'-]+ ){{0,3}}{WINS}"
    rf"|(?:19|20)\d\d (?:[\w'-]+ ){{0,2}}{WINS}\W*(?=\n)"
    r"|highlights (?:of|from|in) (?:20\d\d|the year|this year|the past year)"
    r"|(?:year[- ]?end|end[- ]of[- ]year|holiday|christmas|festive) (?:edition|issue|newsletter"
    r"|recap|roundup)"
    r"|(?:what|everything|all) (?:we|you)(?:'ve| have)? (?:achieved|accomplished|won)"
    r"|ce que (?:nous avons|vous avez) (?:accompli|obtenu|gagné|réalisé)"
    r"|(?:19|20)\d\d\W{0,3} (?:a|an|une) (?:year|année) (?:of|de|d')"
    r"|^\W*(?:19|20)\d\d\W{1,3}(?:a|an|une|un) (?:[\w'-]+ )?(?:year|année|año)\b"  # a title
    r"|(?:the|a|this) year gone by|a year like no other|l'année écoulée"
    # "L'année qui vient de s'écouler a été pleine de nouveautés"
    r"|l'année qui (?:vient de s'écouler|vient de s'achever|vient de se terminer"
    r"|s'est écoulée|s'est achevée)"
    r"|(?:an?|this|what an?) (?:incredible|extraordinary|remarkable|amazing|historic"
    r"|unforgettable|momentous|challenging|difficult|tumultuous|eventful) year"
    r"|(?:une|cette) année (?:exceptionnelle|historique|de combats|de mobilisations?"
    r"|de victoires|difficile|intense|riche|mouvementée|éprouvante|hors (?:de l'ordinaire"
    r"|du commun|norme)|pas comme les autres|sans précédent)"
    r"|thank you for (?:an?|this|the|another) (?:\w+ )?year|merci pour cette année"
    # the season's thanks to supporters ("Thank you so much for your generous support
    # this Christmas", "Thank you for supporting Crisis this Christmas")
    r"|thank(?:s| you)(?: so much)? for (?:(?:all )?your (?:[\w'-]+ ){0,2}(?:support|generosity"
    r"|gifts?|donations?)|supporting (?:[\w'-]+ ){1,3}?)(?:this|in) (?:christmas|holiday"
    r" season|festive season|year|(?:19|20)\d\d)"
    # ... said otherwise ("Thank you for helping 133 families this Christmas", "A Letter of
    # Gratitude this Holiday Season", "… thanks everybody involved in another successful
    # year", "at the year's end")
    r"|thank(?:s| you) for (?:[\w'-]+ ){1,6}?this (?:christmas|holiday season|festive season)"
    r"|(?:letter|message|note) of (?:gratitude|thanks) (?:this|for the) (?:christmas|holiday"
    r"|festive)(?: season)?"
    r"|another (?:[\w'-]+ )?(?:successful|great|wonderful|amazing|incredible|fruitful"
    r"|productive|rewarding) year|(?:at|by) the year's end"
    r"|the most wonderful time of the year"
    r"|رسالة (?:نهاية|العام الجديد)|حصاد (?:العام|عام)|نهاية (?:العام|السنة)"
)
# a leader's message named in a title ("Le mot d'Aminata Niakaté, présidente d'ECPM",
# "Chair's Letter - January 2018"); at the turn of the year, that is a year-end message
MESSAGE = (
    r"(?:message|letter|lettre|mot|note|update|édito|éditorial|words?|reflections?"
    r"|greetings?|wishes|voeux"
    # a leader's column by its name ("President's Perspective: …", "Director's Corner")
    r"|perspective|corner|column|blog|chronique|billet"
    r"|réflexions?)"
)
LEADER = (
    r"(?:presidents?|(?:co-?)?présidente?s?|chair(?:man|woman|person)?|director|directeur|directrice"
    r"|secretary[- ]general|secrétaire générale?|ceo|bâtonni(?:er|ère)|pdg"
    # ... and a church's ("December 2019 Pastor's Letter", "Message de l'évêque")
    rf"|{CLERGY})"
)
# a church leader speaking to the people of the feast, as a paper reports it (TITLE_ONLY)
_CHURCH = rf"(?:{CLERGY}|cardinal|pope)"
_SPEAKS = r"(?:tells|urges|asks|calls on|exhorts|appeals to)"
_PREACHES = rf"{_CHURCH}\W(?:[\w'-]+\W{{1,3}}){{0,4}}?{_SPEAKS}"
_FEAST = r"(?:christmas|xmas|new year|birth of (?:jesus )?christ|nativity)"
# Titles that say it only as titles do: the organisation's year in its own voice
# ("Vous avez contribué à changer des vies en 2015", "What We're Looking Forward to in
# 2021"), a numbered list of wins ("41 victoires pour les droits humains …"), the year
# in a leader's message ("Amnesty in 2015: A message from …"), "2011: The Year in Civil
# Liberties", "Pour terminer l'année, …".
TITLE_ONLY = compile_tolerant(
    r"(?<!\w)(?:"
    r"(?:vous|you|ensemble|together|nous|we|we're|our|nos|notre)(?: [\w'-]+){0,6}"
    r" (?:en|in|of|de|for|pour) (?:19|20)\d\d(?!\d)"
    rf"|^\W*\d+ (?:[\w'-]+ ){{0,3}}{WINS}"
    r"|(?:19|20)\d\d\W.*(?:message|letter|note|lettre|mot) (?:from|de|du|d')"
    r"|^\W*(?:19|20)\d\d\W{1,3}(?:the|our|a|my|your) year in \w+"
    # the organisation's review of its year as the whole title ("Review of 2013", "The ORG
    # Review of 2022"); not a review of one topic ("A review of 2022's executions")
    r"|^\W*(?:(?:the|our|a) )?(?:[\w'-]+ )?review of (?:the year|(?:19|20)\d\d)\W*$"
    # ... or the year's update as the whole title ("2023 update", "Our 2024 Recap")
    r"|^\W*(?:(?:the|our) )?(?:19|20)\d\d (?:update|recap|wrap-?up)\W*$"
    r"|^\W*(?:en|in) (?:19|20)\d\d\W.*(?<!\w)(?:nos|nous|notre|ensemble|together|our|we)"
    rf"|(?<!open ){MESSAGE} (?:from|de|du|des|d'|of)(?: |(?<=d'))"
    rf"(?:[\w'-]+\W{{1,3}}){{0,5}}{LEADER}"
    rf"|{LEADER}(?:'s)?\W{{1,3}}(?:\w+ ){{0,2}}{MESSAGE}(?! ouverte)"
    # a mayor's word or wishes by their usual names ("Mot du Maire", "Cérémonie des vœux
    # du maire de …"): the head of a public body (docs/labelling.md); not any letter that
    # names a mayor ("Lettre de soutien au maire")
    r"|(?:mot|message|voeux|lettre|édito(?:rial)?) (?:du|de la|de madame la|de monsieur le)"
    r" maire|(?:message|letter|note) from the mayor|mayor's (?:message|letter|note)"
    rf"|from the desk of(?: [\w'-]+){{0,4}} {LEADER}|from (?:the|our|my) {LEADER}'?s'? desk"
    # the season's homily as a title ("homélie Noël 2018", "Homélie de Mgr … – Messe du
    # jour de Noël", "Christmas Eve homily")
    # (the English homily is the strong "what", whose title match counts as much)
    r"|homélie (?:[\w'-]+ ){0,10}?(?:noël|nouvel an)|noël(?: [\w'-]+){0,3} homélie"
    # the leader's column as the whole title ("From the President", "Le mot du président")
    rf"|^\W*(?:(?:a )?{MESSAGE} )?from (?:the|our) (?:executive )?{LEADER}\W*$"
    r"|(?:pour|to) (?:bien )?(?:terminer|finir|clore|commencer|end|close|wrap up|start|kick off)"
    r" (?:out )?(?:l'année|cette année|the year|the new year|20\d\d)"
    # addressed to the readers ("To Our Supporters: …", "À nos donateurs"), or thanks alone
    r"|^\W*(?:to|dear|à|a|chers|chères) (?:all |tous )?(?:of )?(?:our|nos) (?:\w+ )?(?:supporters"
    r"|members|friends|donors|sympathisant\S*|adhérent\S*|donat\S*|ami\S*|membres)"
    r"(?=\W*$|\W*[:,!—–-]| and | et )"
    r"|^\W*(?:merci|thank you|thanks|gracias)(?: (?:à|a) (?:vous|tous|toutes))?\W*$"
    # ... or the salutation alone ("Chers amis...", "Dear Friends")
    r"|^\W*(?:dear|chers|chères?) (?:friends|amis|amies|membres|members"
    r"|supporters|donateurs|donors)\W*$"
    r"|^\W*(?:a )?(?:christmas|holiday|festive|new year'?s?) thank(?:s| you)\W*$"
    # the feast's editorial ("'Hanouka 5782 : Édito rabbinique", "Noël : l'édito")
    rf"|(?:{SEASON}|noël|nouvel an)(?: (?:19|20|57)\d\d)?\W{{1,3}}(?:l')?édito(?:rial)?"
    # the feast and its year as the whole title ("The Eve of the Nativity, 2019")
    r"|^\W*(?:the )?(?:(?:eve|feast) of the nativity|nativity|christmas(?: eve| day)?|noël"
    r"|new year'?s? (?:eve|day))\W{0,3}(?:19|20)\d\d\W*$"
    # a church leader's season message as a paper reports it ("KENYA: Show Love … to
    # Mark the Birth of Christ, Archbishop Tells Faithful", "Primate Okoh urges Nigerians
    # to celebrate Christmas with hope")
    rf"|{_PREACHES}\W(?:[\w'-]+\W{{1,3}}){{0,8}}?{_FEAST}"
    rf"|{_FEAST}\W{{1,3}}(?:[\w'-]+\W{{1,3}}){{0,6}}?{_CHURCH} {_SPEAKS}"
    # ... or the feast and its year heading a church's words ("Noël 2022 : La Conférence
    # Épiscopale du Burkina Faso s'adresse aux catholiques", "Noël 2020 : Les ferventes
    # prières de l'Archevêque de Dakar …")
    r"|^\W*(?:noël|christmas|nouvel an|new year'?s?)\W{0,3}(?:19|20)\d\d\W{1,3}"
    rf"(?:[\w'-]+\W{{1,3}}){{0,8}}?(?:{_CHURCH}|pape|épiscopal\w*)(?!\w)"
    # a toast to the new year ("Cheers to a New Year of Learning, Collaboration, and Impact")
    r"|^\W*(?:cheers|here's|a toast) to (?:a |the )?(?:new year|(?:19|20)\d\d)"
    # the season's greetings as the title, not in a headline's question or story ("No merry
    # Christmas for …", "Joyeux Noël en prison : …"); in a text they open any speech
    # ... also from the whole house ("From All Of Us At SAID Nigeria Wishing You Merry
    # Christmas!")
    r"|^(?![^\n]*[?:])\W*(?:from (?:[\w'.&-]+,? ){1,8}?)?"
    r"(?:(?:we )?(?:wish|wishing) you (?:and \w+ )?(?:a |an )?(?:\w+ )?"
    r"|(?:an? )?(?:merry|peaceful|happy|joyous|blessed) |joyeux |joyeuses |bonnes "
    r"|(?:(?:os|les|te) deseamos )?(?:feliz|felices) )(?:christmas"
    r"|xmas|holiday season|holidays|new year|noël|fêtes(?: de fin d'année)?|navidad|fiestas)"
    r"(?! (?:in|en|for|pour|behind|derrière|under|sous|without|sans) )"
    r")(?!\w)"
)
