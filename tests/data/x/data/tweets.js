window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [ "1776369479840706617" ],
          "editableUntil" : "2024-04-05T23:01:02.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [ ]
      },
      "display_text_range" : [ "0", "58" ],
      "favorite_count" : "2",
      "id_str" : "1776369479840706617",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1776369479840706617",
      "created_at" : "Fri Apr 05 22:01:02 +0000 2024",
      "favorited" : false,
      "full_text" : "Blocking people who send threats &amp; abuse &lt;&gt; is fine",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "id_str" : "20",
      "id" : "20",
      "created_at" : "Tue Mar 21 20:50:14 +0000 2006",
      "full_text" : "just setting up my twttr",
      "entities" : { "hashtags" : [ ], "user_mentions" : [ ], "urls" : [ ] }
    }
  }
]
