"""The demo catalogue of the fictional member state "Republic of Aurelia", in en, fr and de.

Language-independent facts (codes, amounts, days, rules) are written once; wording per language.
"""

from __future__ import annotations

LANGUAGES = ("en", "fr", "de")

# identifier: transport, languages, contact, names per language, address
AUTHORITIES = {
    "trade-office": {
        "transport": "backoffice",
        "languages": "en, fr, de",
        "email": "trade@aurelia.example.eu",
        "phone": "+99 10 200 3000",
        "website": "https://trade.aurelia.example.eu/",
        "address": "Market Square 1\n1000 Aurelia City\nRepublic of Aurelia",
        "name": {
            "en": "Municipal Trade Office of Aurelia City",
            "fr": "Office municipal du commerce d'Aurelia-Ville",
            "de": "Städtisches Gewerbeamt Aurelia-Stadt",
        },
    },
    "commercial-court": {
        "transport": "as4",
        "languages": "en, de",
        "email": "register@court.aurelia.example.eu",
        "phone": "+99 10 200 4000",
        "website": "https://register.aurelia.example.eu/",
        "address": "Palace of Justice, Court Street 5\n1000 Aurelia City\nRepublic of Aurelia",
        "as4": {
            "party_id": "AU-COMMERCIAL-REGISTER",
            "party_id_type": "urn:oasis:names:tc:ebcore:partyid-type:unregistered:aurelia",
            "endpoint_url": "https://ap.register.aurelia.example.eu/as4",
            "service": "urn:aurelia:psc:service:commercial-register",
            "service_type": "urn:aurelia:psc:service-type",
            "action": "SubmitDossier",
        },
        "name": {
            "en": "Commercial Register Court",
            "fr": "Tribunal du registre du commerce",
            "de": "Handelsregistergericht",
        },
    },
    "tax-office": {
        "transport": "as4",
        "languages": "en, fr, de",
        "email": "vat@tax.aurelia.example.eu",
        "phone": "+99 10 200 5000",
        "website": "https://tax.aurelia.example.eu/",
        "address": "Treasury Building, Finance Avenue 12\n1001 Aurelia City\nRepublic of Aurelia",
        "as4": {
            "party_id": "AU-TAX-OFFICE",
            "party_id_type": "urn:oasis:names:tc:ebcore:partyid-type:unregistered:aurelia",
            "endpoint_url": "https://ap.tax.aurelia.example.eu/as4",
            "service": "urn:aurelia:psc:service:vat-registration",
            "service_type": "urn:aurelia:psc:service-type",
            "action": "SubmitDossier",
        },
        "name": {
            "en": "National Tax Office",
            "fr": "Office national des impôts",
            "de": "Nationales Finanzamt",
        },
    },
    "social-security": {
        "transport": "as4",
        "languages": "en, fr",
        "email": "employers@social.aurelia.example.eu",
        "phone": "+99 10 200 6000",
        "website": "https://social.aurelia.example.eu/",
        "address": "Solidarity Square 3\n1002 Aurelia City\nRepublic of Aurelia",
        "as4": {
            "party_id": "AU-SOCIAL-SECURITY",
            "party_id_type": "urn:oasis:names:tc:ebcore:partyid-type:unregistered:aurelia",
            "endpoint_url": "https://ap.social.aurelia.example.eu/as4",
            "service": "urn:aurelia:psc:service:employer-registration",
            "service_type": "urn:aurelia:psc:service-type",
            "action": "SubmitDossier",
        },
        "name": {
            "en": "Social Security Institute",
            "fr": "Institut de sécurité sociale",
            "de": "Sozialversicherungsanstalt",
        },
    },
    "chamber-of-crafts": {
        "transport": "backoffice",
        "languages": "en, fr, de",
        "email": "register@crafts.aurelia.example.eu",
        "phone": "+99 10 200 7000",
        "website": "https://crafts.aurelia.example.eu/",
        "address": "Guild House, Artisans' Lane 8\n1003 Aurelia City\nRepublic of Aurelia",
        "name": {"en": "Chamber of Crafts", "fr": "Chambre des métiers", "de": "Handwerkskammer"},
    },
    "qualifications-centre": {
        "transport": "backoffice",
        "languages": "en, fr, de",
        "email": "recognition@qualifications.aurelia.example.eu",
        "phone": "+99 10 200 8000",
        "website": "https://qualifications.aurelia.example.eu/",
        "address": "Education Campus, University Road 20\n1004 Aurelia City\nRepublic of Aurelia",
        "name": {
            "en": "Centre for the Recognition of Professional Qualifications",
            "fr": "Centre de reconnaissance des qualifications professionnelles",
            "de": "Zentrum für die Anerkennung von Berufsqualifikationen",
        },
    },
    "food-safety": {
        "transport": "backoffice",
        "languages": "en, fr",
        "email": "registration@food.aurelia.example.eu",
        "phone": "+99 10 200 9000",
        "website": "https://food.aurelia.example.eu/",
        "address": "Harvest Street 44\n1005 Aurelia City\nRepublic of Aurelia",
        "name": {
            "en": "Food Safety Agency",
            "fr": "Agence de sécurité alimentaire",
            "de": "Agentur für Lebensmittelsicherheit",
        },
    },
    "labour-inspectorate": {
        "transport": "as4",
        "languages": "en, fr, de",
        "email": "posting@labour.aurelia.example.eu",
        "phone": "+99 10 201 0000",
        "website": "https://labour.aurelia.example.eu/",
        "address": "Workers' Boulevard 2\n1006 Aurelia City\nRepublic of Aurelia",
        "as4": {
            "party_id": "AU-LABOUR-INSPECTORATE",
            "party_id_type": "urn:oasis:names:tc:ebcore:partyid-type:unregistered:aurelia",
            "endpoint_url": "https://ap.labour.aurelia.example.eu/as4",
            "service": "urn:aurelia:psc:service:posting-declaration",
            "service_type": "urn:aurelia:psc:service-type",
            "action": "SubmitDossier",
        },
        "name": {"en": "Labour Inspectorate", "fr": "Inspection du travail", "de": "Arbeitsinspektion"},
    },
    "immigration-service": {
        "transport": "backoffice",
        "languages": "en, fr, de",
        "email": "self-employed@immigration.aurelia.example.eu",
        "phone": "+99 10 201 1000",
        "website": "https://immigration.aurelia.example.eu/",
        "address": "Harbour Road 9\n1007 Aurelia City\nRepublic of Aurelia",
        "name": {
            "en": "Immigration Service",
            "fr": "Service de l'immigration",
            "de": "Einwanderungsbehörde",
        },
    },
}

EVIDENCE_TYPES = {
    "identity-document": {
        "en": ("Identity document", "Passport or national identity card."),
        "fr": ("Pièce d'identité", "Passeport ou carte nationale d'identité."),
        "de": ("Ausweisdokument", "Reisepass oder Personalausweis."),
    },
    "diploma": {
        "en": (
            "Diploma or certificate of professional qualification",
            "The qualification for the profession.",
        ),
        "fr": ("Diplôme ou titre de qualification professionnelle", "La qualification pour la profession."),
        "de": ("Diplom oder Befähigungsnachweis", "Die Qualifikation für den Beruf."),
    },
    "professional-experience": {
        "en": ("Certificate of professional experience", "Issued by the home country's authority."),
        "fr": ("Attestation d'expérience professionnelle", "Délivrée par l'autorité du pays d'origine."),
        "de": ("Bescheinigung über Berufserfahrung", "Ausgestellt von der Behörde des Herkunftslands."),
    },
    "articles-of-association": {
        "en": ("Articles of association", "The company's statutes, signed by the founders."),
        "fr": ("Statuts de la société", "Les statuts, signés par les fondateurs."),
        "de": ("Gesellschaftsvertrag", "Die Satzung der Gesellschaft, von den Gründern unterzeichnet."),
    },
    "register-extract": {
        "en": ("Extract from the commercial register", "Not older than three months."),
        "fr": ("Extrait du registre du commerce", "Datant de moins de trois mois."),
        "de": ("Handelsregisterauszug", "Nicht älter als drei Monate."),
    },
    "criminal-record": {
        "en": ("Criminal record extract", "Not older than three months."),
        "fr": ("Extrait de casier judiciaire", "Datant de moins de trois mois."),
        "de": ("Strafregisterauszug", "Nicht älter als drei Monate."),
    },
    "liability-insurance": {
        "en": ("Proof of professional liability insurance", "Cover for the activity in Aurelia."),
        "fr": (
            "Attestation d'assurance responsabilité civile professionnelle",
            "Couvrant l'activité en Aurélie.",
        ),
        "de": ("Nachweis der Berufshaftpflichtversicherung", "Deckung für die Tätigkeit in Aurelien."),
    },
    "premises-proof": {
        "en": ("Proof of business premises", "Lease or title deed of the premises."),
        "fr": ("Justificatif des locaux professionnels", "Bail ou titre de propriété des locaux."),
        "de": ("Nachweis der Geschäftsräume", "Mietvertrag oder Eigentumsnachweis der Räume."),
    },
    "floor-plan": {
        "en": ("Floor plan of the premises", "To scale, with emergency exits."),
        "fr": ("Plan des locaux", "À l'échelle, avec les issues de secours."),
        "de": ("Grundriss der Räume", "Maßstabsgetreu, mit Notausgängen."),
    },
    "food-hygiene-training": {
        "en": ("Food hygiene training certificate", "For the person in charge of the food business."),
        "fr": ("Attestation de formation à l'hygiène alimentaire", "Pour la personne responsable."),
        "de": ("Nachweis einer Lebensmittelhygieneschulung", "Für die verantwortliche Person."),
    },
    "a1-certificate": {
        "en": ("Portable document A1", "Shows which country's social security covers the posted worker."),
        "fr": ("Document portable A1", "Indique le régime de sécurité sociale du travailleur détaché."),
        "de": (
            "Entsendebescheinigung A1",
            "Zeigt, welche Sozialversicherung für entsandte Arbeitnehmer gilt.",
        ),
    },
    "employment-contracts": {
        "en": ("Employment contracts", "One for each employee."),
        "fr": ("Contrats de travail", "Un par salarié."),
        "de": ("Arbeitsverträge", "Einer je Arbeitnehmer."),
    },
    "business-plan": {
        "en": ("Business plan", "Activity, financing and expected turnover."),
        "fr": ("Plan d'affaires", "Activité, financement et chiffre d'affaires prévu."),
        "de": ("Geschäftsplan", "Tätigkeit, Finanzierung und erwarteter Umsatz."),
    },
}

# (NACE code, section, {lang: (name, synonyms)}, synonyms shared by every language)
ACTIVITIES = [
    (
        "01.13",
        "A",
        {
            "en": ("Growing of vegetables", "market gardener, vegetable farmer, horticulture"),
            "fr": ("Culture de légumes", "maraîcher, maraîchère, maraîchage"),
            "de": ("Anbau von Gemüse", "Gemüsebauer, Gemüsegärtner, Gärtnerei"),
        },
        "horticultor, orticoltore",
    ),
    (
        "01.21",
        "A",
        {
            "en": ("Growing of grapes", "vineyard, wine grower, viticulture"),
            "fr": ("Culture de la vigne", "vigneron, vigneronne, viticulteur, vignoble"),
            "de": ("Anbau von Weintrauben", "Winzer, Winzerin, Weinbau, Weinberg"),
        },
        "viticultor, viticoltore",
    ),
    (
        "10.71",
        "C",
        {
            "en": ("Manufacture of bread and fresh pastry", "baker, bakery, pastry cook"),
            "fr": (
                "Fabrication de pain et de pâtisserie fraîche",
                "boulanger, boulangère, boulangerie, pâtissier",
            ),
            "de": ("Herstellung von Backwaren", "Bäcker, Bäckerei, Konditor"),
        },
        "padeiro, panadero, panettiere, piekarz",
    ),
    (
        "11.02",
        "C",
        {
            "en": ("Manufacture of wine", "winery, winemaker"),
            "fr": ("Vinification", "viticulteur, cave, producteur de vin"),
            "de": ("Herstellung von Wein", "Weinkellerei, Kellermeister"),
        },
        "adega, bodega, cantina",
    ),
    (
        "14.13",
        "C",
        {
            "en": ("Manufacture of outerwear", "tailor, dressmaker, clothing maker"),
            "fr": ("Fabrication de vêtements de dessus", "tailleur, couturier, couturière"),
            "de": ("Herstellung von Oberbekleidung", "Schneider, Schneiderin, Maßschneiderei"),
        },
        "alfaiate, sastre, sarto, krawiec",
    ),
    (
        "16.23",
        "C",
        {
            "en": ("Manufacture of builders' carpentry and joinery", "joiner, joinery"),
            "fr": ("Fabrication de charpentes et de menuiseries", "menuisier, charpentier, menuiserie"),
            "de": ("Herstellung von Bautischlerei", "Tischler, Schreiner, Zimmerer"),
        },
        "carpinteiro, carpintero, falegname",
    ),
    (
        "31.09",
        "C",
        {
            "en": ("Manufacture of furniture", "furniture maker, cabinet maker"),
            "fr": ("Fabrication de meubles", "ébéniste, fabricant de meubles"),
            "de": ("Herstellung von Möbeln", "Möbeltischler, Kunstschreiner"),
        },
        "marceneiro, ebanista",
    ),
    (
        "32.12",
        "C",
        {
            "en": ("Manufacture of jewellery", "jeweller, goldsmith"),
            "fr": ("Fabrication d'articles de joaillerie et bijouterie", "bijoutier, joaillier, orfèvre"),
            "de": ("Herstellung von Schmuck", "Goldschmied, Juwelier"),
        },
        "ourives, joyero, orafo",
    ),
    (
        "41.20",
        "F",
        {
            "en": ("Construction of buildings", "builder, construction company, building contractor"),
            "fr": ("Construction de bâtiments", "maçon, entreprise de construction, bâtiment"),
            "de": ("Bau von Gebäuden", "Bauunternehmer, Maurer, Hochbau"),
        },
        "construtor, constructor, muratore, budowlaniec",
    ),
    (
        "43.21",
        "F",
        {
            "en": ("Electrical installation", "electrician, electrical contractor"),
            "fr": ("Installation électrique", "électricien, électricienne"),
            "de": ("Elektroinstallation", "Elektriker, Elektroinstallateur"),
        },
        "eletricista, electricista, elettricista, elektryk",
    ),
    (
        "43.22",
        "F",
        {
            "en": ("Plumbing, heating and air-conditioning installation", "plumber, heating engineer"),
            "fr": ("Travaux de plomberie et installation de chauffage", "plombier, chauffagiste"),
            "de": ("Gas-, Wasser-, Heizungsinstallation", "Installateur, Klempner, Heizungsbauer"),
        },
        "canalizador, fontanero, idraulico, hydraulik",
    ),
    (
        "43.31",
        "F",
        {
            "en": ("Plastering", "plasterer"),
            "fr": ("Travaux de plâtrerie", "plâtrier, plaquiste"),
            "de": ("Verputzarbeiten", "Stuckateur, Verputzer"),
        },
        "estucador, yesero, stuccatore",
    ),
    (
        "43.32",
        "F",
        {
            "en": ("Joinery installation", "carpenter, window fitter"),
            "fr": ("Travaux de menuiserie", "menuisier poseur, poseur de fenêtres"),
            "de": ("Bautischlerei und -schlosserei", "Fensterbauer, Montagetischler"),
        },
        "carpinteiro, carpintero",
    ),
    (
        "43.33",
        "F",
        {
            "en": ("Floor and wall covering", "tiler, floor layer"),
            "fr": ("Revêtement des sols et des murs", "carreleur, carreleuse, poseur de sols"),
            "de": ("Fußboden-, Fliesen- und Plattenlegerei", "Fliesenleger, Bodenleger"),
        },
        "ladrilhador, alicatador, piastrellista",
    ),
    (
        "43.34",
        "F",
        {
            "en": ("Painting and glazing", "painter, decorator, glazier"),
            "fr": ("Travaux de peinture et vitrerie", "peintre en bâtiment, vitrier"),
            "de": ("Maler- und Glasergewerbe", "Maler, Lackierer, Glaser"),
        },
        "pintor, imbianchino, malarz",
    ),
    (
        "43.91",
        "F",
        {
            "en": ("Roofing", "roofer"),
            "fr": ("Travaux de couverture", "couvreur, couvreuse, toiture"),
            "de": ("Dachdeckerei", "Dachdecker"),
        },
        "telhador, techador, copritetto, dekarz",
    ),
    (
        "45.20",
        "G",
        {
            "en": ("Maintenance and repair of motor vehicles", "car mechanic, garage, car repair"),
            "fr": (
                "Entretien et réparation de véhicules automobiles",
                "garagiste, mécanicien automobile, garage",
            ),
            "de": ("Instandhaltung und Reparatur von Kraftwagen", "Kfz-Mechaniker, Autowerkstatt, Werkstatt"),
        },
        "mecânico, mecánico, meccanico, mechanik",
    ),
    (
        "47.11",
        "G",
        {
            "en": (
                "Retail sale in non-specialised stores with food",
                "grocery, grocer, convenience store, supermarket",
            ),
            "fr": (
                "Commerce de détail alimentaire non spécialisé",
                "épicerie, épicier, supérette, supermarché",
            ),
            "de": ("Einzelhandel mit Waren verschiedener Art", "Lebensmittelgeschäft, Supermarkt, Kiosk"),
        },
        "mercearia, tienda de comestibles, alimentari",
    ),
    (
        "47.22",
        "G",
        {
            "en": ("Retail sale of meat", "butcher, butcher's shop"),
            "fr": ("Commerce de détail de viandes", "boucher, bouchère, boucherie, charcutier"),
            "de": ("Einzelhandel mit Fleisch", "Metzger, Fleischer, Metzgerei"),
        },
        "talho, carnicería, macelleria, rzeźnik",
    ),
    (
        "47.24",
        "G",
        {
            "en": ("Retail sale of bread and cakes", "bakery shop, patisserie, cake shop"),
            "fr": ("Commerce de détail de pain et pâtisserie", "pâtisserie, dépôt de pain"),
            "de": ("Einzelhandel mit Back- und Süßwaren", "Konditorei, Backshop"),
        },
        "pastelaria, pastelería, pasticceria",
    ),
    (
        "47.71",
        "G",
        {
            "en": ("Retail sale of clothing", "clothes shop, boutique, fashion store"),
            "fr": ("Commerce de détail d'habillement", "boutique de vêtements, magasin de mode"),
            "de": ("Einzelhandel mit Bekleidung", "Bekleidungsgeschäft, Modegeschäft, Boutique"),
        },
        "loja de roupa, tienda de ropa",
    ),
    (
        "47.73",
        "G",
        {
            "en": ("Dispensing chemist", "pharmacy, pharmacist, chemist"),
            "fr": ("Commerce de détail de produits pharmaceutiques", "pharmacie, pharmacien, pharmacienne"),
            "de": ("Apotheken", "Apotheke, Apotheker, Apothekerin"),
        },
        "farmácia, farmacia, apteka",
    ),
    (
        "47.91",
        "G",
        {
            "en": ("Retail sale via mail order or the internet", "online shop, e-commerce, webshop"),
            "fr": ("Vente à distance", "boutique en ligne, commerce électronique, e-commerce"),
            "de": ("Versand- und Internet-Einzelhandel", "Onlineshop, Onlinehandel, Versandhandel"),
        },
        "loja online, tienda online, negozio online",
    ),
    (
        "49.32",
        "H",
        {
            "en": ("Taxi operation", "taxi driver, cab"),
            "fr": ("Transports de voyageurs par taxis", "chauffeur de taxi, taxi, VTC"),
            "de": ("Betrieb von Taxis", "Taxifahrer, Taxiunternehmen"),
        },
        "taxista",
    ),
    (
        "49.41",
        "H",
        {
            "en": ("Freight transport by road", "haulier, trucking, lorry driver"),
            "fr": ("Transports routiers de fret", "transporteur, routier, camionneur"),
            "de": ("Güterbeförderung im Straßenverkehr", "Spedition, Fuhrunternehmen, Lkw-Fahrer"),
        },
        "camionista, transportista",
    ),
    (
        "55.10",
        "I",
        {
            "en": ("Hotels and similar accommodation", "hotel, guest house, bed and breakfast"),
            "fr": ("Hôtels et hébergement similaire", "hôtel, hôtelier, chambre d'hôtes"),
            "de": ("Hotels, Gasthöfe und Pensionen", "Hotel, Pension, Gasthof"),
        },
        "hotel, albergo, pousada",
    ),
    (
        "56.10",
        "I",
        {
            "en": ("Restaurants and mobile food service", "restaurant, restaurateur, food truck, caterer"),
            "fr": (
                "Restaurants et services de restauration mobile",
                "restaurant, restaurateur, traiteur, food truck",
            ),
            "de": ("Restaurants und mobile Speisegeschäfte", "Restaurant, Gastwirt, Imbiss, Foodtruck"),
        },
        "restaurante, ristorante, restauracja",
    ),
    (
        "56.30",
        "I",
        {
            "en": ("Beverage serving activities", "bar, café, pub, coffee shop"),
            "fr": ("Débits de boissons", "bar, café, bistrot, buvette"),
            "de": ("Ausschank von Getränken", "Bar, Café, Kneipe, Schankwirtschaft"),
        },
        "cafetaria, cafetería, caffè",
    ),
    (
        "62.01",
        "J",
        {
            "en": ("Computer programming", "software developer, programmer, IT consultant"),
            "fr": ("Programmation informatique", "développeur, développeuse, programmeur, informaticien"),
            "de": ("Programmiertätigkeiten", "Softwareentwickler, Programmierer, Informatiker"),
        },
        "programador, programmatore, programista",
    ),
    (
        "69.10",
        "M",
        {
            "en": ("Legal activities", "lawyer, solicitor, attorney"),
            "fr": ("Activités juridiques", "avocat, avocate, juriste"),
            "de": ("Rechtsberatung", "Rechtsanwalt, Rechtsanwältin, Anwalt"),
        },
        "advogado, abogado, avvocato, adwokat",
    ),
    (
        "69.20",
        "M",
        {
            "en": ("Accounting, bookkeeping and tax consultancy", "accountant, bookkeeper, tax adviser"),
            "fr": ("Activités comptables", "comptable, expert-comptable, conseiller fiscal"),
            "de": ("Buchführung und Steuerberatung", "Buchhalter, Steuerberater, Wirtschaftsprüfer"),
        },
        "contabilista, contable, commercialista",
    ),
    (
        "71.11",
        "M",
        {
            "en": ("Architectural activities", "architect"),
            "fr": ("Activités d'architecture", "architecte"),
            "de": ("Architekturbüros", "Architekt, Architektin"),
        },
        "arquitecto, arquiteto, architetto",
    ),
    (
        "74.10",
        "M",
        {
            "en": ("Specialised design activities", "designer, graphic designer, interior designer"),
            "fr": ("Activités spécialisées de design", "designer, graphiste, décorateur d'intérieur"),
            "de": ("Ateliers für Design", "Designer, Grafikdesigner, Innenarchitekt"),
        },
        "diseñador, designer",
    ),
    (
        "74.20",
        "M",
        {
            "en": ("Photographic activities", "photographer, photo studio"),
            "fr": ("Activités photographiques", "photographe, studio photo"),
            "de": ("Fotografie", "Fotograf, Fotografin, Fotostudio"),
        },
        "fotógrafo, fotografo",
    ),
    (
        "75.00",
        "M",
        {
            "en": ("Veterinary activities", "vet, veterinarian, animal clinic"),
            "fr": ("Activités vétérinaires", "vétérinaire, clinique vétérinaire"),
            "de": ("Veterinärwesen", "Tierarzt, Tierärztin, Tierklinik"),
        },
        "veterinário, veterinario, weterynarz",
    ),
    (
        "81.21",
        "N",
        {
            "en": ("General cleaning of buildings", "cleaner, cleaning company, janitorial"),
            "fr": ("Nettoyage courant des bâtiments", "nettoyage, agent d'entretien, société de nettoyage"),
            "de": ("Allgemeine Gebäudereinigung", "Gebäudereiniger, Reinigungsfirma, Putzdienst"),
        },
        "limpeza, limpieza, pulizie",
    ),
    (
        "85.53",
        "P",
        {
            "en": ("Driving school activities", "driving school, driving instructor"),
            "fr": ("Enseignement de la conduite", "auto-école, moniteur d'auto-école"),
            "de": ("Fahr- und Flugschulen", "Fahrschule, Fahrlehrer"),
        },
        "escola de condução, autoescuela, autoscuola",
    ),
    (
        "86.23",
        "Q",
        {
            "en": ("Dental practice", "dentist, dental surgeon"),
            "fr": ("Pratique dentaire", "dentiste, chirurgien-dentiste"),
            "de": ("Zahnarztpraxen", "Zahnarzt, Zahnärztin"),
        },
        "dentista, dentysta",
    ),
    (
        "86.90",
        "Q",
        {
            "en": ("Other human health activities", "physiotherapist, nurse, midwife"),
            "fr": ("Autres activités pour la santé humaine", "kinésithérapeute, infirmier, sage-femme"),
            "de": ("Gesundheitswesen a. n. g.", "Physiotherapeut, Krankenpfleger, Hebamme"),
        },
        "fisioterapeuta, fisioterapista",
    ),
    (
        "88.91",
        "Q",
        {
            "en": ("Child day-care activities", "childminder, nursery, crèche"),
            "fr": ("Accueil de jeunes enfants", "crèche, assistante maternelle, garderie"),
            "de": ("Tagesbetreuung von Kindern", "Kita, Tagesmutter, Kinderkrippe"),
        },
        "creche, guardería, asilo nido",
    ),
    (
        "93.13",
        "R",
        {
            "en": ("Fitness facilities", "gym, fitness centre, personal trainer"),
            "fr": (
                "Activités des centres de culture physique",
                "salle de sport, salle de fitness, coach sportif",
            ),
            "de": ("Fitnesszentren", "Fitnessstudio, Personal Trainer"),
        },
        "ginásio, gimnasio, palestra",
    ),
    (
        "95.23",
        "S",
        {
            "en": ("Repair of footwear and leather goods", "cobbler, shoe repair"),
            "fr": ("Réparation de chaussures et d'articles en cuir", "cordonnier, cordonnerie"),
            "de": ("Reparatur von Schuhen und Lederwaren", "Schuhmacher, Schuster"),
        },
        "sapateiro, zapatero, calzolaio, szewc",
    ),
    (
        "96.01",
        "S",
        {
            "en": ("Washing and dry-cleaning", "laundry, dry cleaner, launderette"),
            "fr": ("Blanchisserie-teinturerie", "pressing, laverie, blanchisserie"),
            "de": ("Wäscherei und chemische Reinigung", "Wäscherei, Reinigung, Waschsalon"),
        },
        "lavandaria, lavandería, lavanderia",
    ),
    (
        "96.02",
        "S",
        {
            "en": ("Hairdressing and other beauty treatment", "hairdresser, barber, hair salon, beautician"),
            "fr": (
                "Coiffure et soins de beauté",
                "coiffeur, coiffeuse, salon de coiffure, barbier, esthéticienne",
            ),
            "de": ("Friseur- und Kosmetiksalons", "Friseur, Friseurin, Friseursalon, Barbier, Kosmetikerin"),
        },
        "cabeleireiro, cabeleireira, peluquero, parrucchiere, fryzjer, kapper",
    ),
    (
        "96.04",
        "S",
        {
            "en": ("Physical well-being activities", "spa, massage, sauna, wellness"),
            "fr": ("Entretien corporel", "spa, massage, institut de bien-être"),
            "de": ("Saunas, Solarien, Bäder", "Wellness, Massage, Sauna"),
        },
        "massagista, masajista",
    ),
]

REGULATED_PROFESSIONS = "43.21, 43.22, 69.10, 71.11, 75, 86, 96.02, 47.73, 85.53"
CRAFTS = "10.71, 14.13, 16.23, 31.09, 32.12, 43, 45.20, 47.22, 95.23, 96.01, 96.02"
FOOD = "I, 10, 11, 47.11, 47.22, 47.24"
PREMISES_OPEN_TO_PUBLIC = "55, 56, 47, 93, 96.02, 96.04, 88.91"

# Procedures in checklist order. Wording per language; everything else is shared.
PROCEDURES = [
    {
        "slug": "business-registration",
        "sequence": 10,
        "authority": "trade-office",
        "processing_time_days": 5,
        "tacit_approval_days": 5,
        "redress_deadline_days": 30,
        "accepted_languages": "en, fr, de",
        "minimum_loa": "substantial",
        "rules": [{"provision": "establishment"}],
        "evidence": [
            ("identity-document", ["pdf", "jpeg", "png"], "simple_copy", False),
            ("premises-proof", ["pdf"], "simple_copy", True),
        ],
        "fees": [("50.00", True)],
        "legal_basis": [
            (
                "Trade Act of Aurelia, section 14",
                "https://law.aurelia.example.eu/eli/act/2019/12/oj",
                "https://law.aurelia.example.eu/eli/act/2019/12/oj",
            )
        ],
        "form": "business",
        "text": {
            "en": {
                "title": "Business registration (trade licence)",
                "summary": "Everyone who runs a business from a fixed establishment in Aurelia registers it with the municipal trade office, which issues a trade licence.",
                "steps": [
                    (
                        "Fill in and sign the application",
                        "Give your activity, your premises and your identity.",
                    ),
                    ("Pay the fee", "Online by card or bank transfer."),
                    ("Receive your trade licence", "By e-mail, as a sealed PDF."),
                ],
                "fees": ["Registration fee"],
                "redress": "the Administrative Court of Aurelia",
            },
            "fr": {
                "title": "Déclaration d'activité (licence commerciale)",
                "summary": "Toute personne qui exploite une entreprise depuis un établissement fixe en Aurélie la déclare à l'office municipal du commerce, qui délivre une licence commerciale.",
                "steps": [
                    (
                        "Remplir et signer la demande",
                        "Indiquez votre activité, vos locaux et votre identité.",
                    ),
                    ("Payer les frais", "En ligne par carte ou par virement."),
                    ("Recevoir votre licence", "Par courriel, en PDF scellé."),
                ],
                "fees": ["Frais d'enregistrement"],
                "redress": "le tribunal administratif d'Aurélie",
            },
            "de": {
                "title": "Gewerbeanmeldung (Gewerbeschein)",
                "summary": "Wer in Aurelien von einer festen Niederlassung aus ein Gewerbe betreibt, meldet es beim städtischen Gewerbeamt an, das einen Gewerbeschein ausstellt.",
                "steps": [
                    (
                        "Antrag ausfüllen und unterschreiben",
                        "Geben Sie Tätigkeit, Geschäftsräume und Identität an.",
                    ),
                    ("Gebühr bezahlen", "Online per Karte oder Überweisung."),
                    ("Gewerbeschein erhalten", "Per E-Mail als gesiegeltes PDF."),
                ],
                "fees": ["Anmeldegebühr"],
                "redress": "das Verwaltungsgericht Aurelien",
            },
        },
    },
    {
        "slug": "commercial-register-entry",
        "sequence": 20,
        "authority": "commercial-court",
        "processing_time_days": 15,
        "tacit_approval_days": None,
        "redress_deadline_days": 30,
        "accepted_languages": "en, de",
        "minimum_loa": "high",
        "rules": [
            {
                "provision": "establishment",
                "legal_forms": ["partnership", "private_limited", "public_limited", "cooperative", "branch"],
            }
        ],
        "evidence": [
            ("identity-document", ["pdf", "jpeg"], "certified_copy", True),
            ("articles-of-association", ["pdf_a", "asice"], "original", True),
            ("register-extract", ["pdf", "pdf_a"], "certified_copy", True),
        ],
        "fees": [("150.00", True), ("25.00", True)],
        "legal_basis": [
            (
                "Commercial Code of Aurelia, book 2",
                "https://law.aurelia.example.eu/eli/code/commerce/2015",
                "https://law.aurelia.example.eu/eli/code/commerce/2015",
            )
        ],
        "form": "company",
        "text": {
            "en": {
                "title": "Entry in the commercial register",
                "summary": "Companies, partnerships, cooperatives and branches of foreign companies are entered in the commercial register before they start trading.",
                "steps": [
                    ("Prepare the articles of association", "Signed by every founder."),
                    ("Apply for the entry", "The register court checks the documents."),
                    ("Publication", "The entry is published in the official gazette."),
                ],
                "fees": ["Entry fee", "Publication in the official gazette"],
                "redress": "the Court of Appeal of Aurelia",
            },
            "fr": {
                "title": "Immatriculation au registre du commerce",
                "summary": "Les sociétés, coopératives et succursales de sociétés étrangères sont immatriculées au registre du commerce avant de commencer leur activité.",
                "steps": [
                    ("Préparer les statuts", "Signés par chaque fondateur."),
                    ("Demander l'immatriculation", "Le tribunal vérifie les pièces."),
                    ("Publication", "L'immatriculation est publiée au journal officiel."),
                ],
                "fees": ["Frais d'immatriculation", "Publication au journal officiel"],
                "redress": "la cour d'appel d'Aurélie",
            },
            "de": {
                "title": "Eintragung in das Handelsregister",
                "summary": "Gesellschaften, Genossenschaften und Zweigniederlassungen ausländischer Gesellschaften werden vor Geschäftsbeginn in das Handelsregister eingetragen.",
                "steps": [
                    ("Gesellschaftsvertrag vorbereiten", "Von allen Gründern unterschrieben."),
                    ("Eintragung beantragen", "Das Registergericht prüft die Unterlagen."),
                    ("Bekanntmachung", "Die Eintragung wird im Amtsblatt bekannt gemacht."),
                ],
                "fees": ["Eintragungsgebühr", "Bekanntmachung im Amtsblatt"],
                "redress": "das Oberlandesgericht Aurelien",
            },
        },
    },
    {
        "slug": "vat-registration",
        "sequence": 30,
        "authority": "tax-office",
        "processing_time_days": 21,
        "tacit_approval_days": None,
        "redress_deadline_days": 60,
        "accepted_languages": "en, fr, de",
        "minimum_loa": "substantial",
        "rules": [{"provision": "establishment"}],
        "evidence": [
            ("identity-document", ["pdf", "jpeg", "png"], "simple_copy", False),
            ("business-plan", ["pdf"], "simple_copy", False),
        ],
        "fees": [],
        "legal_basis": [
            (
                "VAT Act of Aurelia, article 9",
                "https://law.aurelia.example.eu/eli/act/2010/3/oj",
                "https://law.aurelia.example.eu/eli/act/2010/3/oj",
            ),
            (
                "Council Directive 2006/112/EC",
                "https://eur-lex.europa.eu/eli/dir/2006/112/oj",
                "http://data.europa.eu/eli/dir/2006/112/oj",
            ),
        ],
        "form": "tax",
        "text": {
            "en": {
                "title": "VAT registration",
                "summary": "A business that supplies goods or services in Aurelia registers for VAT and receives a VAT identification number.",
                "steps": [
                    ("Apply for a VAT number", "Give your expected turnover."),
                    ("Receive your VAT number", "Valid in the EU's VIES system."),
                ],
                "fees": [],
                "redress": "the Tax Appeals Board",
            },
            "fr": {
                "title": "Immatriculation à la TVA",
                "summary": "Une entreprise qui fournit des biens ou des services en Aurélie s'immatricule à la TVA et reçoit un numéro d'identification TVA.",
                "steps": [
                    ("Demander un numéro de TVA", "Indiquez votre chiffre d'affaires prévu."),
                    ("Recevoir votre numéro de TVA", "Valable dans le système VIES de l'UE."),
                ],
                "fees": [],
                "redress": "la commission de recours fiscal",
            },
            "de": {
                "title": "Umsatzsteuer-Registrierung",
                "summary": "Ein Unternehmen, das in Aurelien Waren oder Dienstleistungen liefert, lässt sich für die Umsatzsteuer registrieren und erhält eine USt-IdNr.",
                "steps": [
                    ("USt-IdNr. beantragen", "Geben Sie den erwarteten Umsatz an."),
                    ("USt-IdNr. erhalten", "Gültig im VIES-System der EU."),
                ],
                "fees": [],
                "redress": "der Steuerbeschwerdeausschuss",
            },
        },
    },
    {
        "slug": "employer-registration",
        "sequence": 40,
        "authority": "social-security",
        "processing_time_days": 10,
        "tacit_approval_days": 10,
        "redress_deadline_days": 30,
        "accepted_languages": "en, fr",
        "minimum_loa": "substantial",
        "rules": [{"provision": "establishment", "employs_staff": "yes"}],
        "evidence": [
            ("identity-document", ["pdf", "jpeg", "png"], "simple_copy", False),
            ("employment-contracts", ["pdf"], "simple_copy", True),
        ],
        "fees": [],
        "legal_basis": [
            (
                "Social Security Act of Aurelia, section 31",
                "https://law.aurelia.example.eu/eli/act/2001/7/oj",
                "https://law.aurelia.example.eu/eli/act/2001/7/oj",
            )
        ],
        "form": "employer",
        "text": {
            "en": {
                "title": "Registration as an employer with social security",
                "summary": "Before the first employee starts work, the employer registers with the Social Security Institute.",
                "steps": [
                    ("Register as an employer", "Before the first working day."),
                    ("Declare each employee", "The institute confirms the registration."),
                ],
                "fees": [],
                "redress": "the Social Court of Aurelia",
            },
            "fr": {
                "title": "Immatriculation comme employeur à la sécurité sociale",
                "summary": "Avant l'entrée en fonction du premier salarié, l'employeur s'immatricule auprès de l'Institut de sécurité sociale.",
                "steps": [
                    ("S'immatriculer comme employeur", "Avant le premier jour de travail."),
                    ("Déclarer chaque salarié", "L'institut confirme l'immatriculation."),
                ],
                "fees": [],
                "redress": "le tribunal social d'Aurélie",
            },
            "de": {
                "title": "Anmeldung als Arbeitgeber bei der Sozialversicherung",
                "summary": "Bevor der erste Arbeitnehmer beginnt, meldet sich der Arbeitgeber bei der Sozialversicherungsanstalt an.",
                "steps": [
                    ("Als Arbeitgeber anmelden", "Vor dem ersten Arbeitstag."),
                    ("Jeden Arbeitnehmer melden", "Die Anstalt bestätigt die Anmeldung."),
                ],
                "fees": [],
                "redress": "das Sozialgericht Aurelien",
            },
        },
    },
    {
        "slug": "recognition-of-qualifications",
        "sequence": 5,
        "authority": "qualifications-centre",
        "processing_time_days": 120,
        "tacit_approval_days": None,
        "redress_deadline_days": 60,
        "accepted_languages": "en, fr, de",
        "minimum_loa": "substantial",
        "rules": [{"activity_codes": REGULATED_PROFESSIONS, "provision": "establishment"}],
        "evidence": [
            ("identity-document", ["pdf", "jpeg", "png"], "simple_copy", False),
            ("diploma", ["pdf", "pdf_a", "asice"], "certified_copy", True),
            ("professional-experience", ["pdf"], "certified_copy", True),
        ],
        "fees": [("120.00", True)],
        "legal_basis": [
            (
                "Directive 2005/36/EC on the recognition of professional qualifications",
                "https://eur-lex.europa.eu/eli/dir/2005/36/oj",
                "http://data.europa.eu/eli/dir/2005/36/oj",
            )
        ],
        "form": "qualification",
        "evidence_notes": {
            "diploma": {
                "en": "Diplomas listed in Annex V of Directive 2005/36/EC are recognised automatically.",
                "fr": "Les diplômes de l'annexe V de la directive 2005/36/CE sont reconnus automatiquement.",
                "de": "Diplome aus Anhang V der Richtlinie 2005/36/EG werden automatisch anerkannt.",
            }
        },
        "text": {
            "en": {
                "title": "Recognition of a professional qualification",
                "summary": "A regulated profession may be practised in Aurelia once the qualification obtained in another EU/EEA country is recognised.",
                "steps": [
                    ("Send your qualification", "With proof of professional experience."),
                    ("Assessment", "The centre compares your training with Aurelia's."),
                    ("Decision", "Recognition, or an aptitude test or adaptation period."),
                ],
                "fees": ["Assessment fee"],
                "redress": "the Administrative Court of Aurelia",
            },
            "fr": {
                "title": "Reconnaissance d'une qualification professionnelle",
                "summary": "Une profession réglementée peut être exercée en Aurélie dès que la qualification obtenue dans un autre pays de l'UE/EEE est reconnue.",
                "steps": [
                    ("Envoyer votre qualification", "Avec la preuve de votre expérience professionnelle."),
                    ("Examen", "Le centre compare votre formation à celle de l'Aurélie."),
                    ("Décision", "Reconnaissance, ou épreuve d'aptitude ou stage d'adaptation."),
                ],
                "fees": ["Frais d'examen du dossier"],
                "redress": "le tribunal administratif d'Aurélie",
            },
            "de": {
                "title": "Anerkennung einer Berufsqualifikation",
                "summary": "Ein reglementierter Beruf darf in Aurelien ausgeübt werden, sobald die in einem anderen EU/EWR-Land erworbene Qualifikation anerkannt ist.",
                "steps": [
                    ("Qualifikation einreichen", "Mit Nachweis der Berufserfahrung."),
                    ("Prüfung", "Das Zentrum vergleicht Ihre Ausbildung mit der aurelischen."),
                    ("Entscheidung", "Anerkennung, oder Eignungsprüfung bzw. Anpassungslehrgang."),
                ],
                "fees": ["Prüfungsgebühr"],
                "redress": "das Verwaltungsgericht Aurelien",
            },
        },
    },
    {
        "slug": "craft-authorisation",
        "sequence": 15,
        "authority": "chamber-of-crafts",
        "processing_time_days": 30,
        "tacit_approval_days": 30,
        "redress_deadline_days": 30,
        "accepted_languages": "en, fr, de",
        "minimum_loa": "substantial",
        "rules": [{"activity_codes": CRAFTS, "provision": "establishment"}],
        "evidence": [
            ("identity-document", ["pdf", "jpeg", "png"], "simple_copy", False),
            ("diploma", ["pdf", "pdf_a"], "certified_copy", True),
            ("liability-insurance", ["pdf"], "simple_copy", False),
        ],
        "fees": [("80.00", True)],
        "legal_basis": [
            (
                "Crafts Code of Aurelia, section 7",
                "https://law.aurelia.example.eu/eli/act/2004/21/oj",
                "https://law.aurelia.example.eu/eli/act/2004/21/oj",
            )
        ],
        "form": "craft",
        "text": {
            "en": {
                "title": "Craft authorisation (entry in the register of crafts)",
                "summary": "Craft trades such as hairdressing, baking or electrical work are entered in the register of crafts kept by the Chamber of Crafts.",
                "steps": [
                    ("Apply to the Chamber of Crafts", "With your qualification and insurance."),
                    ("Entry in the register of crafts", "You receive your craft card."),
                ],
                "fees": ["Registration in the register of crafts"],
                "redress": "the Administrative Court of Aurelia",
            },
            "fr": {
                "title": "Autorisation artisanale (inscription au répertoire des métiers)",
                "summary": "Les métiers de l'artisanat comme la coiffure, la boulangerie ou l'électricité sont inscrits au répertoire des métiers tenu par la Chambre des métiers.",
                "steps": [
                    (
                        "Déposer la demande à la Chambre des métiers",
                        "Avec votre qualification et votre assurance.",
                    ),
                    ("Inscription au répertoire", "Vous recevez votre carte d'artisan."),
                ],
                "fees": ["Inscription au répertoire des métiers"],
                "redress": "le tribunal administratif d'Aurélie",
            },
            "de": {
                "title": "Handwerkszulassung (Eintragung in die Handwerksrolle)",
                "summary": "Handwerke wie Friseur, Bäcker oder Elektriker werden in die Handwerksrolle der Handwerkskammer eingetragen.",
                "steps": [
                    ("Antrag bei der Handwerkskammer", "Mit Qualifikation und Versicherung."),
                    ("Eintragung in die Handwerksrolle", "Sie erhalten Ihre Handwerkskarte."),
                ],
                "fees": ["Eintragung in die Handwerksrolle"],
                "redress": "das Verwaltungsgericht Aurelien",
            },
        },
    },
    {
        "slug": "food-business-registration",
        "sequence": 50,
        "authority": "food-safety",
        "processing_time_days": 28,
        "tacit_approval_days": 28,
        "redress_deadline_days": 30,
        "accepted_languages": "en, fr",
        "minimum_loa": "low",
        "rules": [{"activity_codes": FOOD}],
        "evidence": [
            ("food-hygiene-training", ["pdf", "jpeg"], "simple_copy", True),
            ("floor-plan", ["pdf"], "simple_copy", False),
        ],
        "fees": [],
        "legal_basis": [
            (
                "Regulation (EC) No 852/2004 on the hygiene of foodstuffs, article 6",
                "https://eur-lex.europa.eu/eli/reg/2004/852/oj",
                "http://data.europa.eu/eli/reg/2004/852/oj",
            )
        ],
        "form": "food",
        "text": {
            "en": {
                "title": "Food business registration",
                "summary": "Every business that produces, processes or sells food registers with the Food Safety Agency before it opens.",
                "steps": [
                    ("Register the food business", "Describe what you make or sell."),
                    ("Inspection", "The agency may inspect the premises."),
                ],
                "fees": [],
                "redress": "the Administrative Court of Aurelia",
            },
            "fr": {
                "title": "Enregistrement d'une entreprise alimentaire",
                "summary": "Toute entreprise qui produit, transforme ou vend des denrées alimentaires s'enregistre auprès de l'Agence de sécurité alimentaire avant d'ouvrir.",
                "steps": [
                    ("Enregistrer l'entreprise alimentaire", "Décrivez ce que vous produisez ou vendez."),
                    ("Inspection", "L'agence peut inspecter les locaux."),
                ],
                "fees": [],
                "redress": "le tribunal administratif d'Aurélie",
            },
            "de": {
                "title": "Registrierung eines Lebensmittelunternehmens",
                "summary": "Jedes Unternehmen, das Lebensmittel herstellt, verarbeitet oder verkauft, registriert sich vor der Eröffnung bei der Agentur für Lebensmittelsicherheit.",
                "steps": [
                    (
                        "Lebensmittelunternehmen registrieren",
                        "Beschreiben Sie, was Sie herstellen oder verkaufen.",
                    ),
                    ("Kontrolle", "Die Agentur kann die Räume kontrollieren."),
                ],
                "fees": [],
                "redress": "das Verwaltungsgericht Aurelien",
            },
        },
    },
    {
        "slug": "premises-opening-permit",
        "sequence": 25,
        "authority": "trade-office",
        "processing_time_days": 45,
        "tacit_approval_days": 45,
        "redress_deadline_days": 30,
        "accepted_languages": "en, fr, de",
        "minimum_loa": "substantial",
        "rules": [{"activity_codes": PREMISES_OPEN_TO_PUBLIC, "provision": "establishment"}],
        "evidence": [
            ("premises-proof", ["pdf"], "certified_copy", True),
            ("floor-plan", ["pdf"], "simple_copy", False),
            ("liability-insurance", ["pdf"], "simple_copy", False),
        ],
        "fees": [("95.00", False)],
        "legal_basis": [
            (
                "Public Premises Safety Ordinance of Aurelia City",
                "https://law.aurelia.example.eu/eli/ordinance/2018/4",
                "https://law.aurelia.example.eu/eli/ordinance/2018/4",
            )
        ],
        "form": "premises",
        "text": {
            "en": {
                "title": "Permit to open premises to the public",
                "summary": "Shops, salons, restaurants and other premises that receive customers need a safety permit before they open.",
                "steps": [
                    ("Send the floor plan", "With the emergency exits."),
                    ("Safety visit", "An inspector visits the premises."),
                    ("Permit", "Or a list of works to do."),
                ],
                "fees": ["Safety inspection fee (paid at the counter)"],
                "redress": "the Administrative Court of Aurelia",
            },
            "fr": {
                "title": "Autorisation d'ouverture d'un établissement recevant du public",
                "summary": "Les commerces, salons, restaurants et autres locaux qui reçoivent des clients ont besoin d'une autorisation de sécurité avant d'ouvrir.",
                "steps": [
                    ("Envoyer le plan des locaux", "Avec les issues de secours."),
                    ("Visite de sécurité", "Un inspecteur visite les locaux."),
                    ("Autorisation", "Ou une liste de travaux à réaliser."),
                ],
                "fees": ["Frais de visite de sécurité (payés au guichet)"],
                "redress": "le tribunal administratif d'Aurélie",
            },
            "de": {
                "title": "Genehmigung zur Eröffnung einer Publikumsstätte",
                "summary": "Läden, Salons, Restaurants und andere Räume mit Kundenverkehr brauchen vor der Eröffnung eine Sicherheitsgenehmigung.",
                "steps": [
                    ("Grundriss einreichen", "Mit den Notausgängen."),
                    ("Sicherheitsbesichtigung", "Ein Prüfer besichtigt die Räume."),
                    ("Genehmigung", "Oder eine Liste nötiger Arbeiten."),
                ],
                "fees": ["Gebühr für die Sicherheitsprüfung (am Schalter zu zahlen)"],
                "redress": "das Verwaltungsgericht Aurelien",
            },
        },
    },
    {
        "slug": "temporary-provision-declaration",
        "sequence": 60,
        "authority": "qualifications-centre",
        "processing_time_days": 30,
        "tacit_approval_days": 30,
        "redress_deadline_days": 30,
        "accepted_languages": "en, fr, de",
        "minimum_loa": "low",
        "rules": [{"provision": "temporary", "establishment_region": "eu_eea"}],
        "evidence": [
            ("identity-document", ["pdf", "jpeg", "png"], "simple_copy", False),
            ("register-extract", ["pdf"], "simple_copy", True),
            ("liability-insurance", ["pdf"], "simple_copy", False),
        ],
        "fees": [],
        "legal_basis": [
            (
                "Directive 2006/123/EC on services in the internal market, article 16",
                "https://eur-lex.europa.eu/eli/dir/2006/123/oj",
                "http://data.europa.eu/eli/dir/2006/123/oj",
            )
        ],
        "form": "temporary",
        "text": {
            "en": {
                "title": "Declaration of temporary cross-border provision of services",
                "summary": "A business established in another EU/EEA country that provides services in Aurelia temporarily declares it once a year instead of registering.",
                "steps": [
                    ("Declare your services", "Before the first provision, then once a year."),
                    ("Acknowledgement", "You may start as soon as it is received."),
                ],
                "fees": [],
                "redress": "the Administrative Court of Aurelia",
            },
            "fr": {
                "title": "Déclaration de libre prestation de services temporaire",
                "summary": "Une entreprise établie dans un autre pays de l'UE/EEE qui fournit des services temporairement en Aurélie le déclare une fois par an au lieu de s'immatriculer.",
                "steps": [
                    ("Déclarer vos services", "Avant la première prestation, puis chaque année."),
                    ("Accusé de réception", "Vous pouvez commencer dès sa réception."),
                ],
                "fees": [],
                "redress": "le tribunal administratif d'Aurélie",
            },
            "de": {
                "title": "Meldung der vorübergehenden grenzüberschreitenden Dienstleistungserbringung",
                "summary": "Ein in einem anderen EU/EWR-Land niedergelassenes Unternehmen, das in Aurelien vorübergehend Dienstleistungen erbringt, meldet dies einmal jährlich, statt sich zu registrieren.",
                "steps": [
                    ("Dienstleistungen melden", "Vor der ersten Erbringung, dann jährlich."),
                    ("Eingangsbestätigung", "Sie dürfen beginnen, sobald sie eingegangen ist."),
                ],
                "fees": [],
                "redress": "das Verwaltungsgericht Aurelien",
            },
        },
    },
    {
        "slug": "posted-workers-notification",
        "sequence": 70,
        "authority": "labour-inspectorate",
        "processing_time_days": 1,
        "tacit_approval_days": None,
        "redress_deadline_days": 30,
        "accepted_languages": "en, fr, de",
        "minimum_loa": "low",
        "rules": [{"provision": "temporary", "employs_staff": "yes"}],
        "evidence": [
            ("a1-certificate", ["pdf"], "simple_copy", False),
            ("employment-contracts", ["pdf"], "simple_copy", True),
        ],
        "fees": [],
        "legal_basis": [
            (
                "Directive 2014/67/EU on the enforcement of the posting of workers, article 9",
                "https://eur-lex.europa.eu/eli/dir/2014/67/oj",
                "http://data.europa.eu/eli/dir/2014/67/oj",
            )
        ],
        "form": "posting",
        "text": {
            "en": {
                "title": "Notification of posted workers",
                "summary": "An employer that sends workers to Aurelia to provide services notifies the Labour Inspectorate before the work starts.",
                "steps": [
                    ("Notify each posting", "Before the first working day."),
                    ("Keep documents available", "A1 forms and contracts, on site."),
                ],
                "fees": [],
                "redress": "the Labour Court of Aurelia",
            },
            "fr": {
                "title": "Déclaration de détachement de travailleurs",
                "summary": "Un employeur qui envoie des travailleurs en Aurélie pour fournir des services le déclare à l'Inspection du travail avant le début des travaux.",
                "steps": [
                    ("Déclarer chaque détachement", "Avant le premier jour de travail."),
                    ("Tenir les documents à disposition", "Formulaires A1 et contrats, sur place."),
                ],
                "fees": [],
                "redress": "le tribunal du travail d'Aurélie",
            },
            "de": {
                "title": "Meldung entsandter Arbeitnehmer",
                "summary": "Ein Arbeitgeber, der Arbeitnehmer zur Dienstleistungserbringung nach Aurelien entsendet, meldet dies vor Arbeitsbeginn der Arbeitsinspektion.",
                "steps": [
                    ("Jede Entsendung melden", "Vor dem ersten Arbeitstag."),
                    ("Unterlagen bereithalten", "A1-Bescheinigungen und Verträge, vor Ort."),
                ],
                "fees": [],
                "redress": "das Arbeitsgericht Aurelien",
            },
        },
    },
    {
        "slug": "self-employment-residence-permit",
        "sequence": 1,
        "authority": "immigration-service",
        "processing_time_days": 90,
        "tacit_approval_days": None,
        "redress_deadline_days": 30,
        "accepted_languages": "en, fr, de",
        "minimum_loa": "high",
        "rules": [{"provision": "establishment", "establishment_region": "outside"}],
        "evidence": [
            ("identity-document", ["pdf"], "certified_copy", True),
            ("business-plan", ["pdf"], "simple_copy", True),
            ("criminal-record", ["pdf", "pdf_a"], "original", True),
        ],
        "fees": [("200.00", True)],
        "legal_basis": [
            (
                "Aliens Act of Aurelia, section 22",
                "https://law.aurelia.example.eu/eli/act/2016/30/oj",
                "https://law.aurelia.example.eu/eli/act/2016/30/oj",
            )
        ],
        "form": "residence",
        "text": {
            "en": {
                "title": "Residence permit for self-employment",
                "summary": "Nationals of countries outside the EU/EEA need a residence permit to run a business in Aurelia.",
                "steps": [
                    ("Apply with your business plan", "The service checks its viability."),
                    ("Interview", "At the Immigration Service."),
                    ("Permit", "Valid for two years, renewable."),
                ],
                "fees": ["Permit fee"],
                "redress": "the Aliens Appeals Board",
            },
            "fr": {
                "title": "Titre de séjour pour activité indépendante",
                "summary": "Les ressortissants de pays hors UE/EEE ont besoin d'un titre de séjour pour exploiter une entreprise en Aurélie.",
                "steps": [
                    ("Déposer la demande avec votre plan d'affaires", "Le service en vérifie la viabilité."),
                    ("Entretien", "Au Service de l'immigration."),
                    ("Titre de séjour", "Valable deux ans, renouvelable."),
                ],
                "fees": ["Frais de titre de séjour"],
                "redress": "la commission de recours des étrangers",
            },
            "de": {
                "title": "Aufenthaltstitel zur selbständigen Erwerbstätigkeit",
                "summary": "Staatsangehörige von Ländern außerhalb der EU/des EWR brauchen einen Aufenthaltstitel, um in Aurelien ein Unternehmen zu führen.",
                "steps": [
                    ("Antrag mit Geschäftsplan stellen", "Die Behörde prüft die Tragfähigkeit."),
                    ("Gespräch", "Bei der Einwanderungsbehörde."),
                    ("Aufenthaltstitel", "Zwei Jahre gültig, verlängerbar."),
                ],
                "fees": ["Gebühr für den Aufenthaltstitel"],
                "redress": "der Ausländerbeschwerdeausschuss",
            },
        },
    },
]

CATALOGUE_PAGE = {
    "en": ("Procedures", "Every procedure for starting and running a business in the Republic of Aurelia."),
    "fr": (
        "Démarches",
        "Toutes les démarches pour créer et exploiter une entreprise en République d'Aurélie.",
    ),
    "de": (
        "Verfahren",
        "Alle Verfahren für die Gründung und Führung eines Unternehmens in der Republik Aurelien.",
    ),
}

# Form fields in the three languages: (type, concept, {lang: label}, extra)
COMMON_FIELDS = [
    ("text", "applicant.full_name", {"en": "Full name", "fr": "Nom complet", "de": "Vollständiger Name"}, {}),
    (
        "date",
        "applicant.birth_date",
        {"en": "Date of birth", "fr": "Date de naissance", "de": "Geburtsdatum"},
        {},
    ),
    (
        "email",
        "applicant.email",
        {"en": "E-mail address", "fr": "Adresse électronique", "de": "E-Mail-Adresse"},
        {},
    ),
    (
        "phone",
        "applicant.phone",
        {"en": "Phone number", "fr": "Numéro de téléphone", "de": "Telefonnummer"},
        {},
    ),
    (
        "address",
        "applicant.address",
        {"en": "Your address", "fr": "Votre adresse", "de": "Ihre Anschrift"},
        {},
    ),
    (
        "country",
        "business.establishment_country",
        {"en": "Country of establishment", "fr": "Pays d'établissement", "de": "Niederlassungsland"},
        {},
    ),
    (
        "business_activity",
        "business.activity",
        {"en": "Business activity", "fr": "Activité", "de": "Tätigkeit"},
        {},
    ),
]
EXTRA_FIELDS = {
    "business": [
        (
            "address",
            "business.premises_address",
            {
                "en": "Address of the premises",
                "fr": "Adresse des locaux",
                "de": "Anschrift der Geschäftsräume",
            },
            {},
        ),
        (
            "date",
            "business.start_date",
            {"en": "Start of activity", "fr": "Début d'activité", "de": "Beginn der Tätigkeit"},
            {},
        ),
    ],
    "company": [
        ("text", "company.name", {"en": "Company name", "fr": "Dénomination sociale", "de": "Firma"}, {}),
        (
            "number",
            "company.share_capital",
            {"en": "Share capital (EUR)", "fr": "Capital social (EUR)", "de": "Stammkapital (EUR)"},
            {"min_value": 0},
        ),
        (
            "evidence_request",
            "company.articles",
            {"en": "Articles of association", "fr": "Statuts", "de": "Gesellschaftsvertrag"},
            {"evidence": "articles-of-association"},
        ),
    ],
    "tax": [
        (
            "number",
            "business.expected_turnover",
            {
                "en": "Expected yearly turnover (EUR)",
                "fr": "Chiffre d'affaires annuel prévu (EUR)",
                "de": "Erwarteter Jahresumsatz (EUR)",
            },
            {"min_value": 0},
        ),
        (
            "yes_no",
            "tax.has_foreign_vat_number",
            {
                "en": "Do you have a VAT number in another EU country?",
                "fr": "Avez-vous un numéro de TVA dans un autre pays de l'UE ?",
                "de": "Haben Sie eine USt-IdNr. in einem anderen EU-Land?",
            },
            {},
        ),
        (
            "text",
            "tax.foreign_vat_number",
            {"en": "That VAT number", "fr": "Ce numéro de TVA", "de": "Diese USt-IdNr."},
            {"condition": ("tax.has_foreign_vat_number", "equals", "yes")},
        ),
    ],
    "employer": [
        (
            "number",
            "business.employees",
            {"en": "Number of employees", "fr": "Nombre de salariés", "de": "Anzahl der Beschäftigten"},
            {"min_value": 1},
        ),
        (
            "date",
            "employer.first_hire_date",
            {
                "en": "First working day of the first employee",
                "fr": "Premier jour de travail du premier salarié",
                "de": "Erster Arbeitstag des ersten Beschäftigten",
            },
            {},
        ),
    ],
    "qualification": [
        (
            "text",
            "qualification.title",
            {
                "en": "Title of your qualification",
                "fr": "Intitulé de votre qualification",
                "de": "Bezeichnung Ihrer Qualifikation",
            },
            {},
        ),
        (
            "country",
            "qualification.country",
            {"en": "Country that awarded it", "fr": "Pays qui l'a délivrée", "de": "Ausstellendes Land"},
            {},
        ),
        (
            "evidence_request",
            "qualification.diploma",
            {"en": "Your diploma", "fr": "Votre diplôme", "de": "Ihr Diplom"},
            {"evidence": "diploma"},
        ),
    ],
    "craft": [
        (
            "evidence_request",
            "qualification.diploma",
            {"en": "Your diploma", "fr": "Votre diplôme", "de": "Ihr Diplom"},
            {"evidence": "diploma"},
        ),
        (
            "single_choice",
            "craft.master_status",
            {"en": "Your level", "fr": "Votre niveau", "de": "Ihre Stufe"},
            {
                "choices": [
                    ("journeyman", {"en": "Journeyman", "fr": "Compagnon", "de": "Geselle"}),
                    ("master", {"en": "Master craftsperson", "fr": "Maître artisan", "de": "Meister"}),
                ]
            },
        ),
    ],
    "food": [
        (
            "multiple_choice",
            "food.kinds",
            {
                "en": "What food do you handle?",
                "fr": "Quelles denrées manipulez-vous ?",
                "de": "Welche Lebensmittel verarbeiten Sie?",
            },
            {
                "choices": [
                    ("meat", {"en": "Meat", "fr": "Viande", "de": "Fleisch"}),
                    ("dairy", {"en": "Dairy", "fr": "Produits laitiers", "de": "Milchprodukte"}),
                    ("bakery", {"en": "Bakery", "fr": "Boulangerie", "de": "Backwaren"}),
                    ("drinks", {"en": "Drinks", "fr": "Boissons", "de": "Getränke"}),
                ]
            },
        ),
        (
            "address",
            "business.premises_address",
            {
                "en": "Address of the premises",
                "fr": "Adresse des locaux",
                "de": "Anschrift der Geschäftsräume",
            },
            {},
        ),
    ],
    "premises": [
        (
            "address",
            "business.premises_address",
            {
                "en": "Address of the premises",
                "fr": "Adresse des locaux",
                "de": "Anschrift der Geschäftsräume",
            },
            {},
        ),
        (
            "number",
            "premises.capacity",
            {
                "en": "Maximum number of customers at a time",
                "fr": "Nombre maximal de clients simultanés",
                "de": "Höchstzahl gleichzeitiger Kunden",
            },
            {"min_value": 1},
        ),
        (
            "evidence_request",
            "premises.proof",
            {
                "en": "Proof of business premises",
                "fr": "Justificatif des locaux professionnels",
                "de": "Nachweis der Geschäftsräume",
            },
            {"evidence": "premises-proof"},
        ),
        (
            "evidence_request",
            "premises.floor_plan",
            {"en": "Floor plan of the premises", "fr": "Plan des locaux", "de": "Grundriss der Räume"},
            {"evidence": "floor-plan"},
        ),
        (
            "evidence_request",
            "premises.liability_insurance",
            {
                "en": "Proof of liability insurance",
                "fr": "Attestation d'assurance responsabilité civile",
                "de": "Nachweis der Haftpflichtversicherung",
            },
            {"evidence": "liability-insurance"},
        ),
    ],
    "temporary": [
        (
            "date",
            "provision.start_date",
            {
                "en": "First day of the services",
                "fr": "Premier jour de la prestation",
                "de": "Erster Tag der Dienstleistung",
            },
            {},
        ),
        (
            "long_text",
            "provision.description",
            {
                "en": "Services you will provide",
                "fr": "Services que vous fournirez",
                "de": "Dienstleistungen, die Sie erbringen",
            },
            {},
        ),
    ],
    "posting": [
        (
            "number",
            "posting.workers",
            {
                "en": "Number of posted workers",
                "fr": "Nombre de travailleurs détachés",
                "de": "Anzahl der entsandten Arbeitnehmer",
            },
            {"min_value": 1},
        ),
        (
            "date",
            "provision.start_date",
            {
                "en": "First day of the services",
                "fr": "Premier jour de la prestation",
                "de": "Erster Tag der Dienstleistung",
            },
            {},
        ),
        (
            "evidence_request",
            "posting.a1",
            {"en": "A1 forms", "fr": "Formulaires A1", "de": "A1-Bescheinigungen"},
            {"evidence": "a1-certificate"},
        ),
    ],
    "residence": [
        (
            "text",
            "applicant.nationality",
            {"en": "Nationality", "fr": "Nationalité", "de": "Staatsangehörigkeit"},
            {},
        ),
        (
            "evidence_request",
            "residence.business_plan",
            {"en": "Your business plan", "fr": "Votre plan d'affaires", "de": "Ihr Geschäftsplan"},
            {"evidence": "business-plan"},
        ),
    ],
}
